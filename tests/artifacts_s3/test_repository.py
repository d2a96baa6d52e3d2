"""S3ArtifactRepository against a real S3 API (moto server): layout, streaming, settings, errors."""

import json
import os

import pytest

from runtime.artifacts.repository import get_artifact_repository
from runtime.errors import InvalidParameter, MlfError, NotFound


def make_tree(root):
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("a\n")
    (root / "sub" / "b.json").write_text('{"b": 1}')
    (root / "sub" / "deeper" / "c.bin").write_bytes(os.urandom(70_000))
    return root


def objects(aws, bucket):
    listing = aws.client().list_objects_v2(Bucket=bucket)
    return {item["Key"]: item["Size"] for item in listing.get("Contents", [])}


def test_files_and_folders_land_under_the_prefix_and_come_back_identical(bucket, aws_env, tmp_path):
    source = make_tree(tmp_path / "src")
    repository = get_artifact_repository(f"s3://{bucket}/exp/run/artifacts")
    repository.log_artifacts(str(source), "tree")
    repository.log_artifact(str(source / "a.txt"))
    assert objects(aws_env, bucket) == {
        "exp/run/artifacts/a.txt": 2,
        "exp/run/artifacts/tree/a.txt": 2,
        "exp/run/artifacts/tree/sub/b.json": 8,
        "exp/run/artifacts/tree/sub/deeper/c.bin": 70_000,
    }
    assert [(i.path, i.is_dir, i.file_size) for i in repository.list_artifacts()] == [
        ("a.txt", False, 2), ("tree", True, None)]
    assert [(i.path, i.is_dir) for i in repository.list_artifacts("tree/sub")] == [
        ("tree/sub/b.json", False), ("tree/sub/deeper", True)]
    assert repository.list_artifacts("a.txt") == []  # a file has no children
    assert repository.list_artifacts("absent") == []

    out = tmp_path / "out"
    local = repository.download_artifacts("tree", str(out))
    assert local == str(out / "tree")
    for name in ("a.txt", "sub/b.json", "sub/deeper/c.bin"):
        assert (out / "tree" / name).read_bytes() == (source / name).read_bytes()
    assert repository.download_artifacts("tree/sub/b.json", str(out / "one")) == str(out / "one" / "tree/sub/b.json")
    whole = repository.download_artifacts("", str(out / "all"))
    assert sorted(p.relative_to(whole).as_posix() for p in (out / "all").rglob("*") if p.is_file()) == [
        "a.txt", "tree/a.txt", "tree/sub/b.json", "tree/sub/deeper/c.bin"]
    assert not list(out.rglob(".tmp-*"))


def test_a_large_file_goes_up_in_parts_and_streams_back(bucket, aws_env, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        for _ in range(21):
            handle.write(os.urandom(1 << 20))
    repository = get_artifact_repository(f"s3://{bucket}/root")
    repository.log_artifact(str(big), "models")
    head = aws_env.client().head_object(Bucket=bucket, Key="root/models/big.bin")
    assert head["ContentLength"] == 21 << 20
    assert head["ETag"].strip('"').endswith("-3")  # three 8 MB parts: a multipart upload

    with repository.open_artifact("models/big.bin") as body:
        first = body.read(10)
    assert first == big.read_bytes()[:10]
    body, size = repository.open_download("models/big.bin")
    streamed = b"".join(body.iter_chunks(1 << 20))
    assert size == 21 << 20 and streamed == big.read_bytes()
    out = repository.download_artifacts("models/big.bin", str(tmp_path / "out"))
    assert open(out, "rb").read() == big.read_bytes()


def test_upload_stream_reads_a_non_seekable_body_part_by_part(bucket, aws_env):
    class Chunks:
        """A socket-like stream: short reads, no seek, no length."""

        def __init__(self, total):
            self.left = total
            self.largest_read = 0

        def readable(self):
            return True

        def seekable(self):
            return False

        def read(self, size=-1):
            self.largest_read = max(self.largest_read, size)
            count = self.left if size is None or size < 0 else min(size, self.left)
            self.left -= count
            return b"x" * count

    stream = Chunks(18 << 20)
    repository = get_artifact_repository(f"s3://{bucket}/streams")
    repository.upload_stream(stream, "piped.bin", "application/octet-stream")
    head = aws_env.client().head_object(Bucket=bucket, Key="streams/piped.bin")
    assert head["ContentLength"] == 18 << 20
    assert stream.largest_read <= 8 << 20  # never more than one part asked for at once


def test_content_type_and_upload_extra_args(bucket, aws_env, tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text("<p>hi</p>")
    monkeypatch.setenv("MLFLOW_S3_UPLOAD_EXTRA_ARGS", json.dumps({"ServerSideEncryption": "AES256",
                                                                   "Metadata": {"team": "risk"}}))
    get_artifact_repository(f"s3://{bucket}").log_artifact(str(tmp_path / "page.html"))
    head = aws_env.client().head_object(Bucket=bucket, Key="page.html")
    assert head["ContentType"] == "text/html"
    assert head["ServerSideEncryption"] == "AES256"
    assert head["Metadata"] == {"team": "risk"}

    monkeypatch.setenv("MLFLOW_S3_UPLOAD_EXTRA_ARGS", "[1, 2]")
    with pytest.raises(InvalidParameter, match="MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object"):
        get_artifact_repository(f"s3://{bucket}").log_artifact(str(tmp_path / "page.html"))


def test_every_operation_accepts_the_client_settings(bucket, aws_env, tmp_path, monkeypatch):
    """TLS skipping, path addressing and the bucket-owner check reach every S3 call boto3 makes."""
    monkeypatch.setenv("MLFLOW_S3_IGNORE_TLS", "true")
    monkeypatch.setenv("MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE", "path")
    monkeypatch.setenv("MLFLOW_S3_EXPECTED_BUCKET_OWNER", "123456789012")  # moto's account
    (tmp_path / "f.txt").write_text("f")
    repository = get_artifact_repository(f"s3://{bucket}/settings")
    repository.log_artifact(str(tmp_path / "f.txt"))
    assert [i.path for i in repository.list_artifacts()] == ["f.txt"]
    assert open(repository.download_artifacts("f.txt", str(tmp_path / "out"))).read() == "f"
    with repository.open_artifact("f.txt") as body:
        assert body.read() == b"f"
    assert repository.delete_artifacts("f.txt") == 1


def test_delete_removes_a_folder_or_a_file_and_nothing_beside_it(bucket, aws_env, tmp_path):
    source = make_tree(tmp_path / "src")
    repository = get_artifact_repository(f"s3://{bucket}/r")
    repository.log_artifacts(str(source), "keep")
    repository.log_artifacts(str(source), "go")
    repository.log_artifact(str(source / "a.txt"), "go-sibling")  # shares the "go" prefix text
    assert repository.delete_artifacts("go") == 3
    assert repository.delete_artifacts("keep/a.txt") == 1
    assert repository.delete_artifacts("absent") == 0
    assert sorted(objects(aws_env, bucket)) == ["r/go-sibling/a.txt", "r/keep/sub/b.json", "r/keep/sub/deeper/c.bin"]
    with pytest.raises(InvalidParameter, match="Refusing to delete every object"):
        get_artifact_repository(f"s3://{bucket}").delete_artifacts("")


def test_paths_that_leave_the_prefix_are_refused(bucket, aws_env, tmp_path):
    repository = get_artifact_repository(f"s3://{bucket}/r")
    for bad in ("../other", "/abs", "a/../../b"):
        with pytest.raises(InvalidParameter):
            repository.list_artifacts(bad)
    with pytest.raises(InvalidParameter):
        get_artifact_repository(f"s3://{bucket}/../escape")
    # A key written by another tool that would leave the download folder is refused, not followed.
    aws_env.client().put_object(Bucket=bucket, Key="r/evil/../../outside.txt", Body=b"x")
    with pytest.raises(InvalidParameter, match="not a plain relative path"):
        repository.download_artifacts("evil", str(tmp_path / "out"))
    assert not (tmp_path / "outside.txt").exists()


def test_errors_are_one_clear_line(bucket, aws_env, tmp_path, monkeypatch):
    (tmp_path / "f.txt").write_text("f")
    with pytest.raises(NotFound, match="S3 bucket 'no-such-bucket-here' does not exist"):
        get_artifact_repository("s3://no-such-bucket-here/p").log_artifact(str(tmp_path / "f.txt"))
    with pytest.raises(NotFound, match=f"No artifact at 'absent.txt' under s3://{bucket}/p"):
        get_artifact_repository(f"s3://{bucket}/p").download_artifacts("absent.txt", str(tmp_path / "o"))
    with pytest.raises(InvalidParameter, match="Invalid S3 URI"):
        get_artifact_repository("s3:///no-bucket")

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    with pytest.raises(MlfError, match="No AWS credentials for s3://") as caught:
        get_artifact_repository(f"s3://{bucket}/p").list_artifacts()
    assert caught.value.error_code == "PERMISSION_DENIED"

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(MlfError, match="Cannot reach the S3 endpoint") as caught:
        get_artifact_repository(f"s3://{bucket}/p").list_artifacts()
    assert caught.value.error_code == "TEMPORARILY_UNAVAILABLE"


def test_access_denied_by_the_server(tmp_path, monkeypatch):
    """moto with IAM checks switched on: the fake key is unknown to it, so S3 answers 403."""
    import requests

    from tests.support.moto_server import MotoServer

    with MotoServer() as aws:
        aws.create_bucket("locked-bucket")
        for name, value in aws.env.items():
            monkeypatch.setenv(name, value)
        requests.post(aws.url + "/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
        (tmp_path / "f.txt").write_text("f")
        with pytest.raises(MlfError, match="Access to s3://locked-bucket/p/f.txt denied by S3") as caught:
            get_artifact_repository("s3://locked-bucket/p").log_artifact(str(tmp_path / "f.txt"))
        assert caught.value.error_code == "PERMISSION_DENIED"
