"""make publish-model: upload model.tar.gz to S3 under its content hash and print its URI.

    python -m tools.publish_model [--artifact PATH | --challenger] [--bucket NAME]

The key is ``models/<sha256 of the tarball>/model.tar.gz``: immutable, so publishing the same
artifact twice uploads nothing, and a deployed URI always means the same bytes. The object is
encrypted at rest (SSE-KMS with the account's S3 key).

Bucket: ``--bucket`` (or MODEL_BUCKET) names one the operator already has; without it, the
project's own bucket ``iris-gateway-models-<account>-<region>`` is created if needed, encrypted,
versioned, closed to the public and to plain HTTP.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from model_training import artifact

# Where the last published URI is kept, for `make deploy`.
PUBLISHED_URI_FILE = artifact.PATH.with_name("published-uri.txt")
KEY_PREFIX = "models"


@dataclass(frozen=True)
class Published:
    uri: str
    uploaded: bool


def artifact_key(artifact_bytes: bytes) -> str:
    return f"{KEY_PREFIX}/{hashlib.sha256(artifact_bytes).hexdigest()}/{artifact.PATH.name}"


def project_bucket_name(account: str, region: str) -> str:
    return f"iris-gateway-models-{account}-{region}"


def publish(archive: Path, bucket: str, s3: Any) -> Published:
    artifact_bytes = archive.read_bytes()
    key = artifact_key(artifact_bytes)
    uri = f"s3://{bucket}/{key}"
    if _exists(s3, bucket, key):
        return Published(uri, uploaded=False)
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=artifact_bytes,
        ServerSideEncryption="aws:kms",
        ChecksumAlgorithm="SHA256",
        ContentType="application/gzip",
        Metadata={"sha256": key.split("/")[1]},
    )
    return Published(uri, uploaded=True)


def ensure_project_bucket(s3: Any, bucket: str, region: str) -> None:
    """Creates the project's bucket with the settings a model store needs; leaves an existing one alone."""
    if _bucket_exists(s3, bucket):
        return
    create: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**create)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(tls_only_policy(bucket)))


def tls_only_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyPlainHttp",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def _exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        # S3 answers 403, not 404, for a missing key when the caller may not list the bucket.
        # Uploading then is safe: the key is the content hash, so it can only hold these bytes.
        if error.response["Error"]["Code"] in ("403", "404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--artifact", type=Path, default=artifact.PATH)
    choice.add_argument(
        "--challenger", action="store_true", help="publish the challenger (make challenger) for ChallengerModelDataUrl"
    )
    parser.add_argument("--bucket", default=os.environ.get("MODEL_BUCKET"))
    args = parser.parse_args(argv)
    if args.challenger:
        args.artifact = artifact.CHALLENGER_PATH
    session = boto3.session.Session()
    s3 = session.client("s3")
    bucket = args.bucket
    if not bucket:
        account = session.client("sts").get_caller_identity()["Account"]
        bucket = project_bucket_name(account, session.region_name)
        ensure_project_bucket(s3, bucket, session.region_name)
    published = publish(args.artifact, bucket, s3)
    if not args.challenger:
        # make deploy's ModelDataUrl; a challenger's URI goes in DEPLOY_PARAMETERS by hand.
        PUBLISHED_URI_FILE.parent.mkdir(parents=True, exist_ok=True)
        PUBLISHED_URI_FILE.write_text(published.uri + "\n")
    print("uploaded" if published.uploaded else "already published, nothing uploaded", file=sys.stderr)
    print(published.uri)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
