"""Several servers, one deployment: two `mlf server` processes (two workers each) share one
PostgreSQL database and one S3 bucket, and 16 real MLflow clients write through them at once.

Nothing may fail, no metric point may be lost, experiment ids may not collide, and what was
written through one server must read back identically through the other.
"""

import contextlib
import json
import os
import re
import subprocess
import threading
import uuid

import pytest

from tests.server.live_server import ROOT, LiveServer
from tests.support.databases import database_available, fresh_database
from tests.support.mlflow_venv import mlflow_python

WRITERS = ROOT / "tests" / "deployment" / "scripts" / "writers.py"
WRITER_COUNT = 16
STEPS = 60


def start_together(stack, *servers):
    """Start servers at the same moment; each is stopped when the stack closes."""
    failures = []

    def start(server):
        try:
            server.start()
        except Exception as exc:  # noqa: BLE001 - reported below, after every server is accounted for
            failures.append(str(exc))

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for server, thread in zip(servers, threads):
        stack.callback(server.__exit__, None, None, None)
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]


def run_peer(*args, servers):
    """Run a script with the real mlflow; retries off, so a failed request fails the script."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "AWS_"))}
    env.pop("PYTHONPATH", None)
    env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    result = subprocess.run([mlflow_python(), *map(str, args)], env=env, capture_output=True, text=True,
                            timeout=300)
    logs = "\n".join(server.output()[-3000:] for server in servers)
    assert result.returncode == 0, f"client failed:\n{result.stdout}\n{result.stderr}\n--- servers ---\n{logs}"
    return result.stdout


@pytest.mark.slow
def test_two_servers_one_database_one_bucket_sixteen_writers(aws_env, tmp_path):
    if not database_available("postgresql"):
        pytest.fail("PostgreSQL is not reachable on 127.0.0.1; it must be running for the deployment tests")
    bucket = aws_env.create_bucket(f"mlf-deploy-{uuid.uuid4().hex[:12]}")
    destination = f"s3://{bucket}/mlartifacts"
    arguments = ["--workers", "2"]
    with fresh_database("postgresql") as url, contextlib.ExitStack() as stack:
        server_a, server_b = (LiveServer(url, destination, extra_args=arguments, env=aws_env.env) for _ in "ab")
        start_together(stack, server_a, server_b)  # as a deployment rolls out: both create the schema at once
        # Retries off: a failed request must fail the writer, not be retried out of sight.
        out = run_peer(WRITERS, server_a.url, server_b.url, WRITER_COUNT, STEPS, servers=(server_a, server_b))
        summary = json.loads(out.strip().splitlines()[-1])
        print(f"\n{summary['runs']} runs, {summary['points']} metric points through two servers; "
              f"experiment ids {summary['experiment_ids']}")
        logs = server_a.output() + server_b.output()
    assert summary["problems"] == []
    assert summary["runs"] == WRITER_COUNT
    assert summary["points"] == WRITER_COUNT * STEPS * 2
    assert not re.search(r'" (5\d\d) ', logs), "a server answered 5xx"
    assert "Traceback" not in logs
    objects = aws_env.client().list_objects_v2(Bucket=bucket).get("Contents", [])
    assert len([o for o in objects if o["Key"].endswith(".txt")]) == WRITER_COUNT
