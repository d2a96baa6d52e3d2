"""The mlf artifact commands and gc on runs whose artifacts live in S3 (moto server on loopback)."""

import json
import re

from tests.cli.helpers import mlf


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def new_run(store_uri, env, location):
    out = ok(mlf("experiments", "create", "--experiment-name", "s3-exp", "--artifact-location", location,
                 tracking_uri=store_uri, env=env))
    experiment_id = re.search(r"with id (\S+)", out).group(1)
    out = ok(mlf("runs", "create", "--experiment-id", experiment_id, tracking_uri=store_uri, env=env))
    return re.search(r"with id ([0-9a-f]{32})", out).group(1)


def keys(aws, bucket):
    return sorted(item["Key"] for item in aws.client().list_objects_v2(Bucket=bucket).get("Contents", []))


def test_log_list_download_and_gc(bucket, aws_env, tmp_path):
    env, store = aws_env.env, f"sqlite:///{tmp_path / 'mlf.db'}"
    run_id = new_run(store, env, f"s3://{bucket}/experiments")
    source = tmp_path / "src"
    (source / "nested").mkdir(parents=True)
    (source / "one.txt").write_text("one\n")
    (source / "nested" / "two.bin").write_bytes(bytes(range(256)) * 100)
    ok(mlf("artifacts", "log-artifacts", "--local-dir", source, "--run-id", run_id, "--artifact-path", "data",
           tracking_uri=store, env=env))
    ok(mlf("artifacts", "log-artifact", "--local-file", source / "one.txt", "--run-id", run_id,
           tracking_uri=store, env=env))
    prefix = f"experiments/{run_id}/artifacts"
    assert keys(aws_env, bucket) == [f"{prefix}/data/nested/two.bin", f"{prefix}/data/one.txt", f"{prefix}/one.txt"]

    listing = json.loads(ok(mlf("artifacts", "list", "--run-id", run_id, "--artifact-path", "data",
                                tracking_uri=store, env=env)))
    assert listing == [{"path": "data/nested", "is_dir": True}, {"path": "data/one.txt", "is_dir": False, "file_size": 4}]

    out = ok(mlf("artifacts", "download", "--run-id", run_id, "-d", tmp_path / "out", tracking_uri=store, env=env))
    local = out.strip().splitlines()[-1]
    assert open(f"{local}/data/nested/two.bin", "rb").read() == (source / "nested" / "two.bin").read_bytes()
    out = ok(mlf("artifacts", "download", "-u", f"s3://{bucket}/{prefix}/data/one.txt", "-d", tmp_path / "by-uri",
                 tracking_uri=store, env=env))
    assert open(out.strip().splitlines()[-1]).read() == "one\n"

    ok(mlf("runs", "delete", "--run-id", run_id, tracking_uri=store, env=env))
    ok(mlf("gc", "--backend-store-uri", store, env=env))
    assert keys(aws_env, bucket) == []


def test_s3_failures_are_one_line_and_write_nothing(aws_env, tmp_path):
    env, store = aws_env.env, f"sqlite:///{tmp_path / 'mlf.db'}"
    run_id = new_run(store, env, "s3://bucket-that-does-not-exist/x")
    (tmp_path / "f.txt").write_text("f")
    result = mlf("artifacts", "log-artifact", "--local-file", tmp_path / "f.txt", "--run-id", run_id,
                 tracking_uri=store, env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: S3 bucket 'bucket-that-does-not-exist' does not exist "
        f"(s3://bucket-that-does-not-exist/x/{run_id}/artifacts/f.txt)"]

    no_credentials = {**env, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""}
    result = mlf("artifacts", "list", "--run-id", run_id, tracking_uri=store, env=no_credentials)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Error: No AWS credentials for s3://bucket-that-does-not-exist/x/")
