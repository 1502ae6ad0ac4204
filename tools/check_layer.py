"""make check-layer: does the Powertools layer in template.yaml hold what the local stack runs?

    python -m tools.check_layer [--region REGION]

Needs AWS credentials (any account may read the public layer). For each layer of the function it
reads the layer version (`aws lambda get-layer-version-by-arn`) and compares:

- the Powertools release in its description ("... with extra dependencies version 3.37.0") with
  the one requirements/lambda.txt pins, which the local stack runs the function with;
- its compatible runtimes and architectures with the function's;
- its version number with the one Powertools' public SSM parameter names for that release
  (/aws/service/powertools/python/<architecture>/<runtime>/<release>), where it can be read.

Exit status 0 when everything agrees, 1 when something differs (each difference is printed).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from packaging.requirements import Requirement
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
LAMBDA_REQUIREMENTS = ROOT / "requirements" / "lambda.txt"
POWERTOOLS = "aws-lambda-powertools"
RELEASE = re.compile(r"\b\d+\.\d+\.\d+\b")


@dataclass(frozen=True)
class Expected:
    powertools: str
    runtime: str
    architecture: str
    layers: tuple[str, ...]  # as written in the template, with ${AWS::Partition} and ${AWS::Region}


def expected(template: Path = TEMPLATE, requirements: Path = LAMBDA_REQUIREMENTS) -> Expected:
    """What the function runs on, from the template, and the Powertools release the local stack pins."""
    document = yaml_parse(template.read_text())
    globals_ = document.get("Globals", {}).get("Function", {})
    (function,) = [r["Properties"] for r in document["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    settings = {**globals_, **function}
    (architecture,) = settings.get("Architectures", ["x86_64"])
    layers = tuple(layer["Fn::Sub"] if isinstance(layer, dict) else layer for layer in settings.get("Layers", []))
    return Expected(_pinned(requirements, POWERTOOLS), settings["Runtime"], architecture, layers)


def _pinned(requirements: Path, name: str) -> str:
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and Requirement(line).name == name:
            (specifier,) = Requirement(line).specifier
            return specifier.version
    raise ValueError(f"{requirements} pins no {name}")


def layer_arn(written: str, partition: str, region: str) -> str:
    return written.replace("${AWS::Partition}", partition).replace("${AWS::Region}", region)


def differences(layer: dict[str, Any], want: Expected) -> list[str]:
    """What in a get-layer-version-by-arn answer disagrees with what the function and the local stack expect."""
    found = []
    # Powertools' docs say the answer names the release the layer holds; its description does, as
    # "... with extra dependencies version 3.37.0". Any release named there is accepted as that.
    releases = RELEASE.findall(layer.get("Description", ""))
    if want.powertools not in releases:
        named = ", ".join(releases) or "no release"
        found.append(f"the layer's description names {named}, requirements/lambda.txt pins {want.powertools}")
    if want.runtime not in layer.get("CompatibleRuntimes", []):
        found.append(f"the layer's runtimes {layer.get('CompatibleRuntimes')} do not include {want.runtime}")
    architectures = layer.get("CompatibleArchitectures")
    if architectures is not None and want.architecture not in architectures:
        found.append(f"the layer's architectures {architectures} do not include {want.architecture}")
    return found


def release_parameter(want: Expected) -> str:
    return f"/aws/service/powertools/python/{want.architecture}/{want.runtime}/{want.powertools}"


def check(lambda_client: Any, ssm_client: Any, partition: str, region: str, want: Expected) -> list[str]:
    """Prints what each layer version holds; returns the differences."""
    problems = []
    for written in want.layers:
        arn = layer_arn(written, partition, region)
        layer = lambda_client.get_layer_version_by_arn(Arn=arn)
        print(f"layer        {arn}")
        print(f"description  {layer.get('Description')}")
        print(f"runtimes     {', '.join(layer.get('CompatibleRuntimes', []))}")
        print(f"architectures {', '.join(layer.get('CompatibleArchitectures', []))}")
        problems += differences(layer, want)
        parameter = release_parameter(want)
        try:
            named = ssm_client.get_parameter(Name=parameter)["Parameter"]["Value"]
        except (ClientError, BotoCoreError) as unreadable:
            print(f"ssm          {parameter}: not read ({unreadable})")
            continue
        print(f"ssm          {parameter} = {named}")
        if named != arn:
            problems.append(f"Powertools' SSM parameter names {named} for {want.powertools}, the template uses {arn}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", help="the region to read the layer in (default: the session's, else us-east-1)")
    args = parser.parse_args(argv)
    session = boto3.session.Session()
    region = args.region or session.region_name or "us-east-1"
    want = expected()
    print(f"expected     Powertools {want.powertools} (requirements/lambda.txt), {want.runtime} on {want.architecture}")
    problems = check(
        session.client("lambda", region_name=region),
        session.client("ssm", region_name=region),
        session.get_partition_for_region(region),
        region,
        want,
    )
    for problem in problems:
        print(f"DIFFERS: {problem}", file=sys.stderr)
    print("the layer matches what the local stack runs" if not problems else "the layer differs", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
