"""`mlf server` with S3 artifact storage (moto server), driven by the real MLflow client and raw requests.

--artifacts-destination s3://...: clients go through the proxy and never see S3.
--default-artifact-root s3://...: clients write to S3 themselves; the server reads it for the UI routes.
"""

import hashlib
import json
import os
import re
import time

import pytest
import requests

from tests.cli.helpers import mlf
from tests.server.live_server import ROOT, LiveServer
from tests.server.test_real_client import run_client

ROUNDTRIP = ROOT / "tests" / "artifacts_s3" / "scripts" / "artifacts_roundtrip.py"
PROXY = "/api/2.0/mlflow-artifacts/artifacts"


def keys(aws, bucket, prefix=""):
    pages = aws.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {item["Key"]: item["Size"] for page in pages for item in page.get("Contents", [])}


def make_tree(root):
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("a\n")
    (root / "sub" / "b.json").write_text('{"b": [1, 2]}')
    (root / "sub" / "deeper" / "c.bin").write_bytes(os.urandom(300_000))
    (root / "empty.dat").write_bytes(b"")
    return root


def test_real_client_logs_through_the_proxy_into_s3_and_gets_the_same_bytes_back(bucket, aws_env, tmp_path):
    source = make_tree(tmp_path / "src")
    single = tmp_path / "model.pkl"
    single.write_bytes(os.urandom(9 << 20))  # above the multipart threshold
    store = f"sqlite:///{tmp_path / 'mlf.db'}"
    destination = f"s3://{bucket}/mlartifacts"
    with LiveServer(store, destination, env=aws_env.env) as server:
        out = run_client(server, ROUNDTRIP, source, tmp_path / "back", single)
        ids = json.loads(out.strip().splitlines()[-1])
        assert ids["artifact_uri"].startswith("mlflow-artifacts:")
        prefix = f"mlartifacts/{ids['experiment_id']}/{ids['run_id']}/artifacts"
        assert keys(aws_env, bucket, "mlartifacts/") == {
            f"{prefix}/tree/a.txt": 2, f"{prefix}/tree/empty.dat": 0, f"{prefix}/tree/sub/b.json": 13,
            f"{prefix}/tree/sub/deeper/c.bin": 300_000, f"{prefix}/model.pkl": 9 << 20}
        assert ids["listed"] == ["model.pkl", "tree", "tree/a.txt", "tree/empty.dat", "tree/sub"]
        back = tmp_path / "back"
        for name in ("a.txt", "empty.dat", "sub/b.json", "sub/deeper/c.bin"):
            assert (back / "tree" / name).read_bytes() == (source / name).read_bytes(), name
        assert (back / "model.pkl").read_bytes() == single.read_bytes()

        # The UI's download route reads the same object through the proxy destination.
        answer = requests.get(server.url + "/get-artifact", params={"run_id": ids["run_id"], "path": "tree/sub/b.json"})
        assert answer.status_code == 200 and answer.content == b'{"b": [1, 2]}'
        assert "attachment" in answer.headers["Content-Disposition"]

        # Deleting through the proxy removes the objects; a second delete is a 404.
        url = f"{server.url}{PROXY}/{ids['experiment_id']}/{ids['run_id']}/artifacts/tree/sub"
        assert requests.delete(url).status_code == 200
        second = requests.delete(url)
        assert second.status_code == 404 and second.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
        assert not [k for k in keys(aws_env, bucket) if "/tree/sub/" in k]

        # gc of the deleted run removes what is left of its artifacts below the destination.
        env = {**aws_env.env, "MLFLOW_TRACKING_URI": server.url}
        assert mlf("runs", "delete", "--run-id", ids["run_id"], env=env).returncode == 0
    result = mlf("gc", "--backend-store-uri", store, "--artifacts-destination", destination, env=aws_env.env)
    assert result.returncode == 0, result.stderr
    assert keys(aws_env, bucket) == {}


def test_default_artifact_root_in_s3_is_read_by_the_server(bucket, aws_env, tmp_path):
    store = f"sqlite:///{tmp_path / 'mlf.db'}"
    with LiveServer(store, extra_args=["--default-artifact-root", f"s3://{bucket}/direct"], env=aws_env.env) as server:
        env = {**aws_env.env, "MLFLOW_TRACKING_URI": server.url}
        out = mlf("experiments", "create", "--experiment-name", "direct", env=env)
        experiment_id = re.search(r"with id (\S+)", out.stdout).group(1)
        out = mlf("runs", "create", "--experiment-id", experiment_id, env=env)
        run_id = re.search(r"with id ([0-9a-f]{32})", out.stdout).group(1)
        (tmp_path / "notes.txt").write_text("written by the client itself\n")
        result = mlf("artifacts", "log-artifact", "--local-file", tmp_path / "notes.txt", "--run-id", run_id,
                     "--artifact-path", "docs", env=env)
        assert result.returncode == 0, result.stderr
        assert list(keys(aws_env, bucket)) == [f"direct/{experiment_id}/{run_id}/artifacts/docs/notes.txt"]

        listing = requests.get(server.url + "/api/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": "docs"})
        assert listing.status_code == 200, listing.text
        assert listing.json()["root_uri"] == f"s3://{bucket}/direct/{experiment_id}/{run_id}/artifacts"
        assert listing.json()["files"] == [{"path": "docs/notes.txt", "is_dir": False, "file_size": 29}]
        answer = requests.get(server.url + "/get-artifact", params={"run_id": run_id, "path": "docs/notes.txt"})
        assert answer.status_code == 200 and answer.text == "written by the client itself\n"
        missing = requests.get(server.url + "/get-artifact", params={"run_id": run_id, "path": "docs/nope.txt"})
        assert missing.status_code == 404
        assert bucket not in missing.text  # the store's own location is not the client's business


def test_proxy_answers_s3_failures_with_one_line_4xx(aws_env, tmp_path):
    store = f"sqlite:///{tmp_path / 'mlf.db'}"
    with LiveServer(store, "s3://no-bucket-behind-this/a", env=aws_env.env) as server:
        put = requests.put(f"{server.url}{PROXY}/1/r/artifacts/x.txt", data=b"x")
        get = requests.get(f"{server.url}{PROXY}/1/r/artifacts/x.txt")
        listing = requests.get(server.url + PROXY, params={"path": "1"})
        for answer in (put, get, listing):
            assert answer.status_code == 404, answer.text
            assert answer.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
            assert "S3 bucket 'no-bucket-behind-this' does not exist" in answer.json()["message"]
        assert "Traceback" not in server.output()
    denied_env = {**aws_env.env, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""}
    with LiveServer(store, "s3://any-bucket/a", env=denied_env) as server:
        put = requests.put(f"{server.url}{PROXY}/1/r/artifacts/x.txt", data=b"x")
        assert put.status_code == 403 and put.json()["error_code"] == "PERMISSION_DENIED"
        assert put.json()["message"].startswith("No AWS credentials for s3://any-bucket/a/1/r/artifacts/x.txt")
        assert "Traceback" not in server.output()


def test_a_client_that_disconnects_mid_upload_leaves_nothing_behind(bucket, aws_env, tmp_path):
    import socket

    store = f"sqlite:///{tmp_path / 'mlf.db'}"
    with LiveServer(store, f"s3://{bucket}/a", env=aws_env.env) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(f"PUT {PROXY}/x/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         f"Content-Length: {50 << 20}\r\n\r\n".encode())
            chunk = os.urandom(1 << 20)
            for _ in range(20):  # two 8 MB parts are on their way to S3 when the client leaves
                sock.sendall(chunk)
            time.sleep(1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and aws_env.client().list_multipart_uploads(Bucket=bucket).get("Uploads"):
            time.sleep(0.2)
        assert not aws_env.client().list_multipart_uploads(Bucket=bucket).get("Uploads"), "multipart upload not aborted"
        assert keys(aws_env, bucket) == {}
        assert "Traceback" not in server.output()


def _peak_rss_bytes(pid):
    """Peak resident memory of a process (VmHWM), in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


def _rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc status")


def _write_big_file(path, size):
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for index in range(size >> 20):
            chunk = index.to_bytes(8, "big") + block[8:]  # every MB different, cheap to make
            handle.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.mark.slow
def test_a_200_mb_artifact_passes_through_the_proxy_with_bounded_server_memory(bucket, aws_env, tmp_path):
    size = 200 << 20
    big_dir = tmp_path / "big"
    big_dir.mkdir()
    expected = _write_big_file(big_dir / "weights.bin", size)
    store = f"sqlite:///{tmp_path / 'mlf.db'}"
    with LiveServer(store, f"s3://{bucket}/mlartifacts", env=aws_env.env) as server:
        pid = server.process.pid
        # Warm up: the first small transfer imports boto3 and builds the client.
        requests.put(f"{server.url}{PROXY}/warm/up.txt", data=b"warm").raise_for_status()
        requests.get(f"{server.url}{PROXY}/warm/up.txt").raise_for_status()
        time.sleep(0.5)
        before = _rss_bytes(pid)
        started = time.monotonic()
        out = run_client(server, ROUNDTRIP, big_dir, tmp_path / "back", timeout=600)
        elapsed = time.monotonic() - started
        peak = _peak_rss_bytes(pid)
        ids = json.loads(out.strip().splitlines()[-1])
        assert keys(aws_env, bucket, "mlartifacts/" + ids["experiment_id"]) == {
            f"mlartifacts/{ids['experiment_id']}/{ids['run_id']}/artifacts/tree/weights.bin": size}
    assert _sha256(tmp_path / "back" / "tree" / "weights.bin") == expected
    growth = peak - before
    print(f"\n200 MB up and down through the proxy in {elapsed:.1f}s; server RSS {before / 2**20:.0f} MB "
          f"before, peak {peak / 2**20:.0f} MB (+{growth / 2**20:.0f} MB)")
    # The proxy holds a few 8 MB parts at a time (plus allocator slack, ~50 MB measured), never the file:
    # holding it would grow the peak by at least its size.
    assert growth < size / 2, f"server memory grew by {growth / 2**20:.0f} MB for a {size >> 20} MB file"
