"""A moto server (tests/support/moto_server.py) of this package's own, with request recording on,
so tests can check what mlf sent for the APIs moto does not implement (stop_transform_job,
update_endpoint). Each test gets a reset server and runs mlf as a process pointed at it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.moto_server import MotoServer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-runner"


class Aws:
    """The moto server, its boto3 clients and its request recording."""

    def __init__(self, server, recording):
        self.server = server
        self.recording = recording

    def client(self, service, region="us-west-2"):
        import boto3

        return boto3.client(service, region_name=region, endpoint_url=self.server.url,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def start_recording(self):
        requests.post(self.server.url + "/moto-api/recorder/reset-recording", timeout=10).raise_for_status()
        requests.post(self.server.url + "/moto-api/recorder/start-recording", timeout=10).raise_for_status()

    def recorded(self, target):
        """Bodies of recorded JSON-protocol calls whose X-Amz-Target ends with target."""
        requests.post(self.server.url + "/moto-api/recorder/stop-recording", timeout=10).raise_for_status()
        lines = Path(self.recording).read_text().splitlines() if Path(self.recording).exists() else []
        calls = []
        for line in map(json.loads, lines):
            headers = {k.lower(): v for k, v in line["headers"].items()}
            if headers.get("x-amz-target", "").endswith(target):
                body = line["body"]
                if line.get("body_encoded"):
                    import base64

                    body = base64.b64decode(body).decode()
                calls.append(json.loads(body))
        return calls

    def snapshot(self, region="us-west-2"):
        """What exists remotely: buckets, SageMaker models, endpoint configs and endpoints."""
        sagemaker = self.client("sagemaker", region)
        return {
            "buckets": sorted(b["Name"] for b in self.client("s3").list_buckets().get("Buckets", [])),
            "models": sorted(m["ModelName"] for m in sagemaker.list_models()["Models"]),
            "configs": sorted(c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]),
            "endpoints": sorted(e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]),
        }


@pytest.fixture(scope="session")
def moto_recording_server(tmp_path_factory):
    recording = tmp_path_factory.mktemp("moto-recording") / "requests.jsonl"
    previous = os.environ.get("MOTO_RECORDER_FILEPATH")
    os.environ["MOTO_RECORDER_FILEPATH"] = str(recording)  # read by the server process at start
    try:
        with MotoServer() as server:
            yield server, recording
    finally:
        if previous is None:
            os.environ.pop("MOTO_RECORDER_FILEPATH", None)
        else:
            os.environ["MOTO_RECORDER_FILEPATH"] = previous


@pytest.fixture
def aws(moto_recording_server):
    server, recording = moto_recording_server
    server.reset()
    return Aws(server, recording)


@pytest.fixture
def model_dir(tmp_path):
    """A python_function model directory (MLmodel plus a data file and a sub-folder)."""
    model = tmp_path / "model"
    (model / "data").mkdir(parents=True)
    (model / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: mlf_test_loader\n"
                                   "    python_version: 3.11.7\n")
    (model / "data" / "weights.txt").write_text("0.5\n")
    (model / "requirements.txt").write_text("pandas\n")
    return model


@pytest.fixture
def mlf(aws, tmp_path):
    """Run `mlf ...` with AWS pointed at moto; env entries set to None are removed."""

    def run(*args, env=None):
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MLFLOW_SAGEMAKER"))}
        environ.update(aws.server.env)
        environ.update({"PYTHONPATH": str(PROJECT_ROOT), "HOME": str(tmp_path)})
        environ.pop("MLF_DEBUG", None)
        for key, value in (env or {}).items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        return subprocess.run([sys.executable, "-m", "runtime", *args], capture_output=True, text=True,
                              env=environ, cwd=tmp_path, timeout=120)

    return run
