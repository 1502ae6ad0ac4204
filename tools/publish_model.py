"""make publish-model: upload model.tar.gz to S3 under its content hash and print its URI.

    python -m tools.publish_model [--artifact PATH | --challenger] [--bucket NAME]

The key is ``models/<sha256 of the tarball>/model.tar.gz``, and S3 checks the upload against
that SHA-256. Publishing the same artifact twice uploads nothing, but only once S3's own checksum
of the object already at the key matches: an object with other bytes (or none S3 can vouch for)
is replaced, its old version kept by the bucket's versioning. The object is encrypted at rest
(SSE-KMS with the account's S3 key, aws/s3, which the endpoint's role may use through S3 without
a grant of its own).

Bucket: ``--bucket`` (or MODEL_BUCKET) names one the operator already has; without it, the
project's own bucket ``iris-gateway-models-<account>-<region>`` is created if needed, encrypted,
versioned, closed to the public and to plain HTTP. Either way the bucket must belong to the
caller's account: bucket names are global and this one is predictable, and the artifact holds
code the endpoint runs, so every S3 call carries ExpectedBucketOwner and S3 refuses it (403) for
a bucket another account owns.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from model_training import artifact

# Where the last published URI is kept, for `make deploy`.
PUBLISHED_URI_FILE = artifact.PATH.with_name("published-uri.txt")
KEY_PREFIX = "models"


class NotOurBucket(Exception):
    """S3 refused a call that named the expected owner: the bucket is another account's (or closed to us)."""

    def __init__(self, bucket: str, owner: str) -> None:
        super().__init__(
            f"bucket {bucket} is not owned by account {owner} (or denies it access); nothing was uploaded. "
            "Choose another with --bucket or MODEL_BUCKET."
        )


@dataclass(frozen=True)
class Published:
    uri: str
    uploaded: bool
    # An object was at the key whose checksum S3 could not match to these bytes.
    replaced_other_bytes: bool = False


def artifact_key(artifact_bytes: bytes) -> str:
    return f"{KEY_PREFIX}/{hashlib.sha256(artifact_bytes).hexdigest()}/{artifact.PATH.name}"


def project_bucket_name(account: str, region: str) -> str:
    return f"iris-gateway-models-{account}-{region}"


def publish(archive: Path, bucket: str, s3: Any, owner: str) -> Published:
    """Uploads the artifact unless S3 vouches that the object at its key holds these very bytes."""
    artifact_bytes = archive.read_bytes()
    key = artifact_key(artifact_bytes)
    checksum = base64.b64encode(hashlib.sha256(artifact_bytes).digest()).decode()
    uri = f"s3://{bucket}/{key}"
    existing = _stored_checksum(s3, bucket, key, owner)
    if existing == checksum:
        return Published(uri, uploaded=False)
    with _refused_means_not_ours(bucket, owner):
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=artifact_bytes,
            ServerSideEncryption="aws:kms",
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=checksum,
            ContentType="application/gzip",
            Metadata={"sha256": key.split("/")[1]},
            ExpectedBucketOwner=owner,
        )
    return Published(uri, uploaded=True, replaced_other_bytes=existing is not None)


def ensure_project_bucket(s3: Any, bucket: str, region: str, owner: str) -> None:
    """Creates the project's bucket with the settings a model store needs; leaves an existing one of
    ours alone, and refuses one another account owns."""
    if _bucket_exists(s3, bucket, owner):
        return
    create: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    # CreateBucket takes no expected owner: it fails by itself when the name is taken.
    s3.create_bucket(**create)
    mine = {"Bucket": bucket, "ExpectedBucketOwner": owner}
    s3.put_public_access_block(
        **mine,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        **mine,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_versioning(**mine, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(**mine, Policy=json.dumps(tls_only_policy(bucket)))


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


def _stored_checksum(s3: Any, bucket: str, key: str, owner: str) -> str | None:
    """S3's SHA-256 of the object at the key ("" if S3 has none for it), or None if there is no object.

    S3 answers 403, not 404, for a missing key when the caller may not list the bucket, and also
    when the bucket is not the expected owner's: either way nothing is trusted, and the upload
    that follows carries the expected owner too."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED", ExpectedBucketOwner=owner)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("403", "404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head.get("ChecksumSHA256", "")


def _bucket_exists(s3: Any, bucket: str, owner: str) -> bool:
    try:
        with _refused_means_not_ours(bucket, owner):
            s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=owner)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


@contextlib.contextmanager
def _refused_means_not_ours(bucket: str, owner: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        if error.response["Error"]["Code"] in ("403", "AccessDenied"):
            raise NotOurBucket(bucket, owner) from error
        raise


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
    account = session.client("sts").get_caller_identity()["Account"]
    bucket = args.bucket
    try:
        if not bucket:
            bucket = project_bucket_name(account, session.region_name)
            ensure_project_bucket(s3, bucket, session.region_name, account)
        published = publish(args.artifact, bucket, s3, account)
    except NotOurBucket as refused:
        print(f"publish-model: {refused}", file=sys.stderr)
        return 2
    if not args.challenger:
        # make deploy's ModelDataUrl; a challenger's URI goes in DEPLOY_PARAMETERS by hand.
        PUBLISHED_URI_FILE.parent.mkdir(parents=True, exist_ok=True)
        PUBLISHED_URI_FILE.write_text(published.uri + "\n")
    if published.replaced_other_bytes:
        print("the object at this key did not match the artifact's SHA-256; uploaded over it", file=sys.stderr)
    print("uploaded" if published.uploaded else "already published, nothing uploaded", file=sys.stderr)
    print(published.uri)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
