"""make publish-model against moto's S3: content-hash keys, checksums, encryption, bucket ownership."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.s3.models import s3_backends

from tools import publish_model

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account: the caller's
OTHER_ACCOUNT = "210987654321"


class S3ChecksBucketOwner:
    """S3 answers 403 to a request whose ExpectedBucketOwner is not the bucket's owner; moto 5.2.5
    ignores the parameter (and lets any account write to any bucket). Installed on a session's
    events, this gives that answer from moto's own record of who owns each bucket, and records
    every S3 call as (operation, bucket, expected owner)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str | None]] = []

    def install(self, events: Any) -> None:
        events.register("before-parameter-build.s3", self._record)
        events.register("before-call.s3", self._answer)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, params.get("Bucket"), params.get("ExpectedBucketOwner")))

    def _answer(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        _, bucket, expected = self.calls[-1]
        _, owner = s3_backends.bucket_accounts.get(bucket, (None, None))  # (partition, account)
        if expected is None or owner is None or expected == owner:
            return None
        code = "403" if model.name.startswith("Head") else "AccessDenied"
        error = {"Error": {"Code": code, "Message": "Access Denied"}, "ResponseMetadata": {"HTTPStatusCode": 403}}
        return AWSResponse(f"https://{bucket}.s3.amazonaws.com/", 403, {}, None), error


@pytest.fixture
def owner_check(monkeypatch):
    """Every boto3 session made during the test, publish-model's own included, gets the check."""
    check = S3ChecksBucketOwner()
    original = boto3.session.Session

    class CheckedSession(original):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            check.install(self.events)

    monkeypatch.setattr(boto3.session, "Session", CheckedSession)
    return check


@pytest.fixture
def s3(owner_check):
    with mock_aws():
        yield boto3.session.Session(region_name=REGION).client("s3")


@pytest.fixture
def other_accounts_s3(s3):
    """A client of another account (an assumed role in moto), for buckets that are not ours."""
    credentials = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/squatter", RoleSessionName="squatter"
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    ).client("s3")


@pytest.fixture
def project_bucket(s3):
    """The project's bucket without its TLS-only policy: moto cannot tell HTTPS from HTTP and
    so denies every request under that policy, which real S3 over HTTPS allows."""
    bucket = publish_model.project_bucket_name(ACCOUNT, REGION)
    publish_model.ensure_project_bucket(s3, bucket, REGION, ACCOUNT)
    s3.delete_bucket_policy(Bucket=bucket)
    return bucket


@pytest.fixture
def hardened_bucket(s3):
    bucket = "iris-gateway-models-hardened"
    publish_model.ensure_project_bucket(s3, bucket, REGION, ACCOUNT)
    return bucket


def _sha256_base64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_the_key_is_the_artifacts_content_hash(s3, project_bucket, model_artifact):
    published = publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT)

    digest = hashlib.sha256(model_artifact.read_bytes()).hexdigest()
    assert published.uri == f"s3://{project_bucket}/models/{digest}/model.tar.gz"
    assert published.uploaded
    stored = s3.get_object(Bucket=project_bucket, Key=f"models/{digest}/model.tar.gz")
    assert stored["Body"].read() == model_artifact.read_bytes()


def test_publishing_twice_uploads_nothing(s3, project_bucket, model_artifact):
    first = publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT)

    second = publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT)

    assert (second.uri, second.uploaded) == (first.uri, False)
    versions = s3.list_object_versions(Bucket=project_bucket)["Versions"]
    assert len(versions) == 1


def test_another_artifact_gets_another_key(s3, project_bucket, model_artifact, tmp_path):
    other = tmp_path / "model.tar.gz"
    other.write_bytes(model_artifact.read_bytes() + b"\0")

    assert (
        publish_model.publish(other, project_bucket, s3, ACCOUNT).uri
        != publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT).uri
    )


def test_the_object_is_encrypted_at_rest(s3, project_bucket, model_artifact):
    published = publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT)

    head = s3.head_object(Bucket=project_bucket, Key=published.uri.split("/", 3)[3])
    assert head["ServerSideEncryption"] == "aws:kms"


def test_the_project_bucket_is_encrypted_versioned_private_and_tls_only(s3, hardened_bucket):
    encryption = s3.get_bucket_encryption(Bucket=hardened_bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    public = s3.get_public_access_block(Bucket=hardened_bucket)["PublicAccessBlockConfiguration"]
    policy = json.loads(s3.get_bucket_policy(Bucket=hardened_bucket)["Policy"])

    assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_bucket_versioning(Bucket=hardened_bucket)["Status"] == "Enabled"
    assert public == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    (statement,) = policy["Statement"]
    assert (statement["Effect"], statement["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


def test_an_existing_bucket_is_left_as_it_is(s3):
    s3.create_bucket(Bucket="operators-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})

    publish_model.ensure_project_bucket(s3, "operators-bucket", REGION, ACCOUNT)

    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket="operators-bucket")


def test_the_command_prints_and_records_the_uri(s3, project_bucket, model_artifact, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(publish_model, "PUBLISHED_URI_FILE", tmp_path / "published-uri.txt")

    assert publish_model.main(["--artifact", str(model_artifact), "--bucket", project_bucket]) == 0

    uri = capsys.readouterr().out.strip()
    assert uri.startswith(f"s3://{project_bucket}/models/")
    assert (tmp_path / "published-uri.txt").read_text().strip() == uri


@pytest.fixture
def command(s3, monkeypatch, tmp_path):
    """publish-model's main, in moto's region, recording the URI under tmp_path, and creating the
    project's bucket without its TLS-only policy (see the project_bucket fixture)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(publish_model, "PUBLISHED_URI_FILE", tmp_path / "published-uri.txt")
    harden = publish_model.ensure_project_bucket

    def harden_without_tls_policy(s3_client, bucket, region, owner):
        harden(s3_client, bucket, region, owner)
        s3_client.delete_bucket_policy(Bucket=bucket, ExpectedBucketOwner=owner)

    monkeypatch.setattr(publish_model, "ensure_project_bucket", harden_without_tls_policy)
    return publish_model.main


def test_without_a_bucket_the_command_creates_the_projects_own(s3, command, model_artifact, capsys):
    assert command(["--artifact", str(model_artifact)]) == 0

    expected_bucket = "iris-gateway-models-123456789012-eu-west-1"
    assert capsys.readouterr().out.startswith(f"s3://{expected_bucket}/models/")
    assert s3.get_bucket_versioning(Bucket=expected_bucket)["Status"] == "Enabled"


def test_publishing_the_challenger_leaves_the_deploys_model_alone(
    s3, project_bucket, challenger_artifact, monkeypatch, tmp_path, capsys
):
    # Given a primary model already published for make deploy
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    recorded = tmp_path / "published-uri.txt"
    recorded.write_text("s3://bucket/models/primary/model.tar.gz\n")
    monkeypatch.setattr(publish_model, "PUBLISHED_URI_FILE", recorded)
    monkeypatch.setattr(publish_model.artifact, "CHALLENGER_PATH", challenger_artifact)

    # When the challenger is published
    assert publish_model.main(["--challenger", "--bucket", project_bucket]) == 0

    # Then its URI is printed for ChallengerModelDataUrl, and the primary's record is untouched
    uri = capsys.readouterr().out.strip()
    assert uri == f"s3://{project_bucket}/{publish_model.artifact_key(challenger_artifact.read_bytes())}"
    assert recorded.read_text() == "s3://bucket/models/primary/model.tar.gz\n"


def test_every_s3_call_names_the_expected_owner(command, owner_check, model_artifact):
    assert command(["--artifact", str(model_artifact)]) == 0

    operations = {operation for operation, _, _ in owner_check.calls}
    assert {"HeadBucket", "CreateBucket", "PutBucketEncryption", "HeadObject", "PutObject"} <= operations
    # CreateBucket alone takes no expected owner: it fails by itself when the name is taken.
    assert [call for call in owner_check.calls if call[0] != "CreateBucket" and call[2] != ACCOUNT] == []


def test_a_project_bucket_name_another_account_took_gets_nothing(
    command, other_accounts_s3, model_artifact, tmp_path, capsys
):
    # Given another account created the bucket name the project would use
    squatted = publish_model.project_bucket_name(ACCOUNT, REGION)
    other_accounts_s3.create_bucket(Bucket=squatted, CreateBucketConfiguration={"LocationConstraint": REGION})

    # When the model is published without naming a bucket
    status = command(["--artifact", str(model_artifact)])

    # Then nothing is uploaded there, nothing is recorded for make deploy, and the error says why
    assert status == 2
    assert other_accounts_s3.list_objects_v2(Bucket=squatted)["KeyCount"] == 0
    assert not (tmp_path / "published-uri.txt").exists()
    assert f"bucket {squatted} is not owned by account {ACCOUNT}" in capsys.readouterr().err


def test_a_named_bucket_of_another_account_gets_nothing(command, other_accounts_s3, model_artifact, capsys):
    other_accounts_s3.create_bucket(Bucket="their-models", CreateBucketConfiguration={"LocationConstraint": REGION})

    assert command(["--artifact", str(model_artifact), "--bucket", "their-models"]) == 2

    assert other_accounts_s3.list_objects_v2(Bucket="their-models")["KeyCount"] == 0
    assert "not owned by account 123456789012" in capsys.readouterr().err


@pytest.mark.parametrize(
    "planted",
    [
        {"Body": b"other bytes", "ChecksumAlgorithm": "SHA256"},
        # The artifact's own bytes, but uploaded without a checksum S3 could vouch for.
        {"Body": None},
    ],
    ids=["other bytes", "no checksum"],
)
def test_an_object_at_the_key_that_s3_cannot_match_is_replaced(s3, project_bucket, model_artifact, planted):
    artifact_bytes = model_artifact.read_bytes()
    key = publish_model.artifact_key(artifact_bytes)
    s3.put_object(Bucket=project_bucket, Key=key, **{**planted, "Body": planted["Body"] or artifact_bytes})

    published = publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT)

    assert (published.uploaded, published.replaced_other_bytes) == (True, True)
    stored = s3.get_object(Bucket=project_bucket, Key=key, ChecksumMode="ENABLED")
    assert stored["Body"].read() == artifact_bytes
    assert stored["ChecksumSHA256"] == _sha256_base64(artifact_bytes)
    # The planted object stays in the bucket's history.
    assert len(s3.list_object_versions(Bucket=project_bucket, Prefix=key)["Versions"]) == 2


def test_an_object_s3_vouches_for_is_not_uploaded_again(s3, project_bucket, model_artifact, owner_check):
    publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT)
    owner_check.calls.clear()

    published = publish_model.publish(model_artifact, project_bucket, s3, ACCOUNT)

    assert (published.uploaded, published.replaced_other_bytes) == (False, False)
    assert [operation for operation, _, _ in owner_check.calls] == ["HeadObject"]
