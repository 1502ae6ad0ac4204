"""make publish-model against moto's S3: content-hash keys, idempotence, encryption, bucket safety."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from moto import mock_aws

from tools import publish_model

REGION = "eu-west-1"


@pytest.fixture
def s3():
    with mock_aws():
        yield boto3.client("s3", region_name=REGION)


@pytest.fixture
def project_bucket(s3):
    """The project's bucket without its TLS-only policy: moto cannot tell HTTPS from HTTP and
    so denies every request under that policy, which real S3 over HTTPS allows."""
    bucket = publish_model.project_bucket_name("123456789012", REGION)
    publish_model.ensure_project_bucket(s3, bucket, REGION)
    s3.delete_bucket_policy(Bucket=bucket)
    return bucket


@pytest.fixture
def hardened_bucket(s3):
    bucket = "iris-gateway-models-hardened"
    publish_model.ensure_project_bucket(s3, bucket, REGION)
    return bucket


def test_the_key_is_the_artifacts_content_hash(s3, project_bucket, model_artifact):
    published = publish_model.publish(model_artifact, project_bucket, s3)

    digest = hashlib.sha256(model_artifact.read_bytes()).hexdigest()
    assert published.uri == f"s3://{project_bucket}/models/{digest}/model.tar.gz"
    assert published.uploaded
    stored = s3.get_object(Bucket=project_bucket, Key=f"models/{digest}/model.tar.gz")
    assert stored["Body"].read() == model_artifact.read_bytes()


def test_publishing_twice_uploads_nothing(s3, project_bucket, model_artifact):
    first = publish_model.publish(model_artifact, project_bucket, s3)

    second = publish_model.publish(model_artifact, project_bucket, s3)

    assert (second.uri, second.uploaded) == (first.uri, False)
    versions = s3.list_object_versions(Bucket=project_bucket)["Versions"]
    assert len(versions) == 1


def test_another_artifact_gets_another_key(s3, project_bucket, model_artifact, tmp_path):
    other = tmp_path / "model.tar.gz"
    other.write_bytes(model_artifact.read_bytes() + b"\0")

    assert (
        publish_model.publish(other, project_bucket, s3).uri
        != publish_model.publish(model_artifact, project_bucket, s3).uri
    )


def test_the_object_is_encrypted_at_rest(s3, project_bucket, model_artifact):
    published = publish_model.publish(model_artifact, project_bucket, s3)

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

    publish_model.ensure_project_bucket(s3, "operators-bucket", REGION)

    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket="operators-bucket")


def test_the_command_prints_and_records_the_uri(s3, project_bucket, model_artifact, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(publish_model, "PUBLISHED_URI_FILE", tmp_path / "published-uri.txt")

    assert publish_model.main(["--artifact", str(model_artifact), "--bucket", project_bucket]) == 0

    uri = capsys.readouterr().out.strip()
    assert uri.startswith(f"s3://{project_bucket}/models/")
    assert (tmp_path / "published-uri.txt").read_text().strip() == uri


def test_without_a_bucket_the_command_creates_the_projects_own(s3, model_artifact, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(publish_model, "PUBLISHED_URI_FILE", tmp_path / "published-uri.txt")
    harden = publish_model.ensure_project_bucket

    def harden_without_tls_policy(s3_client, bucket, region):
        # See the project_bucket fixture: moto would deny the upload under the TLS-only policy.
        harden(s3_client, bucket, region)
        s3_client.delete_bucket_policy(Bucket=bucket)

    monkeypatch.setattr(publish_model, "ensure_project_bucket", harden_without_tls_policy)

    assert publish_model.main(["--artifact", str(model_artifact)]) == 0

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
