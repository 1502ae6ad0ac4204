"""Cold start as shipped: the handler imported from `sam build`'s output, next to bare boto3.

Each figure is the median of fresh interpreters (the runtime's python3.13 from .venv-lambda), taken
in turns so that all see the same machine load, in the environment Lambda gives a function: the
task root first on sys.path, then the layer (bench/shipped.py), then the runtime's boto3;
LAMBDA_TASK_ROOT and the other variables Lambda sets; PYTHONDONTWRITEBYTECODE, so that no run
leaves bytecode for the next (on Lambda, /var/task and /opt are read-only).

Our code is timed as `sam build` ships it (no bytecode) and with the build step of
bench/shipped.py (hash-based bytecode); the layer with checked-hash bytecode and without any,
because which one the published layer 40 is cannot be checked from here (docs/benchmarks.md).
`-X importtime` then shows where the handler's import time goes, library by library.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

from bench import shipped
from bench.report import figure
from project import LAMBDA_PYTHON

TARGET_RATIO = 1.3
RUNS = 15
IMPORTTIME_RUNS = 3
TIMED = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
BASELINE = "import boto3; boto3.client('sagemaker-runtime')"
HANDLER = "import predict.app, predict.endpoint_client as e; e.runtime_client()"
# The libraries the function is required to use, set up as it sets them up, without its own code:
# boto3 and its client, Powertools' Logger, Metrics and REST event handler, one pydantic model.
REQUIRED = (
    f"{BASELINE}; from aws_lambda_powertools import Logger, Metrics; "
    "from aws_lambda_powertools.event_handler import APIGatewayRestResolver; "
    "from pydantic import BaseModel; Logger(); Metrics(namespace='IrisGateway'); "
    "type('Model', (BaseModel,), {'__annotations__': {'x': int}})"
)
# What the Powertools Tracer cost before docs/tracing.md's decision: the X-Ray SDK, patching botocore.
TRACER = (
    f"{BASELINE}; from aws_lambda_powertools import Tracer; Tracer(service='iris-gateway', patch_modules=['botocore'])"
)
XRAY_SDK = "import aws_xray_sdk.core"
# What an import without bytecode does on top of running the module: compile its source.
COMPILE_ALL = (
    "import pathlib, sys, time; sources = [(p.read_bytes(), str(p)) for p in pathlib.Path(sys.argv[1]).rglob('*.py')]; "
    "t = time.perf_counter(); [compile(source, name, 'exec') for source, name in sources]; "
    "print(time.perf_counter() - t)"
)
LIBRARY_GROUPS = {
    "boto3, botocore and their dependencies": (
        "boto3",
        "botocore",
        "s3transfer",
        "urllib3",
        "dateutil",
        "jmespath",
        "six",
    ),
    "Powertools": ("aws_lambda_powertools",),
    "pydantic": ("pydantic", "pydantic_core", "annotated_types", "typing_extensions", "typing_inspection"),
    "this project (predict, iris_contract)": ("predict", "iris_contract"),
}
IMPORTTIME_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
# Where the required libraries' time is spent, by the modules the function imports from them.
ENTRY_POINTS = {
    "aws_lambda_powertools.event_handler": "its package imports every resolver (AppSync, Bedrock, Lattice...)",
    "aws_lambda_powertools.logging": "Logger",
    "aws_lambda_powertools.metrics": "Metrics",
    "pydantic": "pydantic itself",
    "predict.schemas": "our models (pydantic builds their validators at import)",
}


def lambda_environment(task_root: Path, layer: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "PYTHONPATH": f"{task_root}:{layer}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": "PredictFunction",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        # Lambda hands the function its role's credentials in the environment; the client finds them there.
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_SESSION_TOKEN": "local",
        "POWERTOOLS_SERVICE_NAME": "iris-gateway",
        "POWERTOOLS_METRICS_NAMESPACE": "IrisGateway",
    }


def _seconds(statement: str, environment: dict[str, str], cwd: Path) -> float:
    completed = subprocess.run(  # noqa: S603 - the runtime's interpreter on our own statements
        [str(LAMBDA_PYTHON), "-c", TIMED.format(statement=statement)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(completed.stdout.split()[-1])


def _import_samples(candidates: dict[str, tuple[str, dict[str, str], Path]]) -> dict[str, list[float]]:
    """Seconds per fresh interpreter, every candidate once per round, so sample i of each is a round."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(RUNS):
        for name, (statement, environment, cwd) in candidates.items():
            samples[name].append(_seconds(statement, environment, cwd))
    return samples


def _paired(samples: dict[str, list[float]], minuend: str, subtrahend: str) -> float:
    """Median of the per-round differences: steadier than a difference of medians on a busy machine."""
    return statistics.median(a - b for a, b in zip(samples[minuend], samples[subtrahend], strict=True))


def _self_times(statement: str, environment: dict[str, str], cwd: Path) -> dict[str, float]:
    """Milliseconds of import time by library group (the sum of each module's own time), and the
    cumulative time of each entry point (keyed "<module> (cumulative)")."""
    runs = []
    for _ in range(IMPORTTIME_RUNS):
        completed = subprocess.run(  # noqa: S603
            [str(LAMBDA_PYTHON), "-X", "importtime", "-c", statement],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        groups: dict[str, float] = defaultdict(float)
        for match in IMPORTTIME_LINE.finditer(completed.stderr):
            module = match.group(4)
            top = module.split(".")[0]
            group = next((g for g, names in LIBRARY_GROUPS.items() if top in names), "standard library and the rest")
            groups[group] += int(match.group(1)) / 1000
            if module in ENTRY_POINTS:
                groups[f"{module} (cumulative)"] = int(match.group(2)) / 1000
        runs.append(groups)
    names = [*LIBRARY_GROUPS, "standard library and the rest", *(f"{module} (cumulative)" for module in ENTRY_POINTS)]
    return {name: statistics.median(run.get(name, 0.0) for run in runs) for name in names}


def run() -> dict[str, float]:
    built = shipped.built_function()
    if built is None or not LAMBDA_PYTHON.exists():
        print("Cold start: not measured (needs .venv-sam, python3.13 and .venv-lambda; make sam-cli, make run)")
        figure("handler import + client / bare boto3 + client, as shipped", "not measured", f"<= {TARGET_RATIO}x")
        return {}
    with tempfile.TemporaryDirectory() as scratch:
        compiled = shipped.with_bytecode(built, Path(scratch) / "compiled")
        layer = shipped.layer_site(Path(scratch) / "layer-bytecode", bytecode=True)
        bare_layer = shipped.layer_site(Path(scratch) / "layer-source", bytecode=False)

        def at(task_root: Path, layer_dir: Path) -> tuple[dict[str, str], Path]:
            return lambda_environment(task_root, layer_dir), task_root

        candidates = {
            "import boto3 + client": (BASELINE, *at(built, layer)),
            "handler, as sam build ships it": (HANDLER, *at(built, layer)),
            "handler, with the build step's bytecode": (HANDLER, *at(compiled, layer)),
            "required libraries alone": (REQUIRED, *at(built, layer)),
            "handler with bytecode, layer without any": (HANDLER, *at(compiled, bare_layer)),
            "required libraries alone, layer without any": (REQUIRED, *at(built, bare_layer)),
            "boto3 + client + Powertools Tracer": (TRACER, *at(built, layer)),
            "import aws_xray_sdk.core alone": (XRAY_SDK, *at(built, layer)),
        }
        samples = _import_samples(candidates)
        handler_groups = _self_times(HANDLER, *at(compiled, layer))
        baseline_groups = _self_times(BASELINE, *at(compiled, layer))
        compiling = statistics.median(_compile_seconds(built) for _ in range(IMPORTTIME_RUNS))
    results = _report(samples, handler_groups, baseline_groups)
    figure("compiling this project's modules from source, which their bytecode saves", f"{compiling * 1000:.1f} ms")
    return results


def _compile_seconds(function_dir: Path) -> float:
    completed = subprocess.run(  # noqa: S603 - the runtime's interpreter on our own sources
        [str(LAMBDA_PYTHON), "-c", COMPILE_ALL, str(function_dir)], capture_output=True, text=True, check=True
    )
    return float(completed.stdout.split()[-1])


def _report(samples: dict[str, list[float]], handler: dict[str, float], baseline: dict[str, float]) -> dict[str, float]:
    times = {name: statistics.median(values) for name, values in samples.items()}
    base = times["import boto3 + client"]
    print(
        f"Cold start as shipped: median of {RUNS} fresh python3.13 interpreters each, taken in turns"
        " (Lambda's environment, our code from sam build, the layer's packages, the runtime's boto3)"
    )
    for name, seconds in times.items():
        print(f"  {name:<45} {seconds * 1000:7.1f} ms  {seconds / base:5.2f}x")
    for name, label in (
        ("handler, as sam build ships it", "as sam build ships it (no bytecode for our modules)"),
        ("handler, with the build step's bytecode", "with hash-based bytecode for our modules"),
        ("handler with bytecode, layer without any", "with our bytecode, the layer without bytecode"),
    ):
        ratio = times[name] / base
        figure(
            f"handler import + client / bare boto3 + client, {label}",
            f"{ratio:.2f}x",
            f"<= {TARGET_RATIO}x",
            ratio <= TARGET_RATIO,
        )
    floor = times["required libraries alone"] / base
    figure(
        "floor set by the required libraries alone (boto3, Powertools, pydantic), layer with bytecode", f"{floor:.2f}x"
    )
    figure(
        "floor set by the required libraries alone, layer without bytecode",
        f"{times['required libraries alone, layer without any'] / base:.2f}x",
    )
    ours = _paired(samples, "handler, with the build step's bytecode", "required libraries alone")
    own = handler["this project (predict, iris_contract)"]
    figure(
        "this project's code on top of that floor (with bytecode; median of per-round differences)",
        f"{ours * 1000:+.1f} ms (-X importtime: our modules' own time {own:.1f} ms)",
    )
    tracer = _paired(samples, "boto3 + client + Powertools Tracer", "import boto3 + client")
    figure(
        "the Powertools Tracer (X-Ray SDK, botocore patched) on top of boto3 + client (dropped: docs/tracing.md)",
        f"{tracer * 1000:+.1f} ms ({times['boto3 + client + Powertools Tracer'] / base:.2f}x)",
    )
    print("Where the import time goes (python -X importtime: each module's own time, summed by library; ms,")
    print(f"  median of {IMPORTTIME_RUNS} runs; importtime itself slows imports, so the totals run high)")
    print(f"  {'library':<45} {'handler':>8} {'boto3 + client':>15}")
    groups = [*LIBRARY_GROUPS, "standard library and the rest"]
    for group in groups:
        print(f"  {group:<45} {handler[group]:8.1f} {baseline[group]:15.1f}")
    total = sum(handler[group] for group in groups), sum(baseline[group] for group in groups)
    print(f"  {'total':<45} {total[0]:8.1f} {total[1]:15.1f}")
    print("  cumulative time of what the handler imports from them, ms:")
    for module, what in ENTRY_POINTS.items():
        print(f"    {module:<38} {handler[f'{module} (cumulative)']:6.1f}  {what}")
    return {f"cold_{name}": seconds for name, seconds in times.items()}


if __name__ == "__main__":
    run()
