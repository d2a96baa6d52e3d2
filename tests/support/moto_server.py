"""A real S3-compatible (and SageMaker, IAM, ...) AWS API on loopback, for tests: moto in server mode.

    with MotoServer() as aws:
        aws.create_bucket("artifacts")
        subprocess.run([...], env={**os.environ, **aws.env})   # boto3 in the child talks to moto

moto runs as its own process (`python -m moto.server`) on 127.0.0.1 and a free port, so a
200 MB upload never competes with the test for memory or the GIL, and every AWS service moto
emulates is reachable at one endpoint. `env` holds fake credentials, the region and
MLFLOW_S3_ENDPOINT_URL / AWS_ENDPOINT_URL pointing at the server; the user's own AWS config
files are hidden so nothing real is ever used. The server is stopped (SIGTERM, then SIGKILL)
when the block ends. The `moto_server` / `aws_env` pytest fixtures below wrap the same class.
"""

import os
import signal
import subprocess
import sys
import tempfile

import pytest

from tests.support.processes import free_port, read_log, wait_until_answers

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    # Hide ~/.aws: the tests must never pick up real credentials or profiles.
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


class MotoServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.process = None
        self._log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self):
        """Environment variables that point boto3 (and mlf's S3 code) at this server."""
        return {**FAKE_CREDENTIALS, "MLFLOW_S3_ENDPOINT_URL": self.url, "AWS_ENDPOINT_URL": self.url}

    def start(self):
        env = {**os.environ, **FAKE_CREDENTIALS}
        self._log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self):
        wait_until_answers(self, self.url + "/moto-api/", "moto server", interval=0.1)

    def output(self):
        return read_log(self._log)

    def client(self, service="s3"):
        """A boto3 client of this server (fake credentials, never the user's)."""
        import boto3

        session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
            region_name=FAKE_CREDENTIALS["AWS_DEFAULT_REGION"],
        )
        return session.client(service, endpoint_url=self.url)

    def create_bucket(self, name):
        self.client("s3").create_bucket(Bucket=name)
        return name

    def reset(self):
        """Forget every bucket, object and resource (moto's own reset endpoint)."""
        import requests

        requests.post(self.url + "/moto-api/reset", timeout=10).raise_for_status()

    def stop(self, timeout=15):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            if self._log is not None:
                self._log.close()
                self._log = None


@pytest.fixture(scope="session")
def moto_server():
    """One moto server for the whole test session (tests use their own bucket names)."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def aws_env(moto_server, monkeypatch):
    """The moto server, with its fake credentials and endpoint set in os.environ for this test."""
    for name, value in moto_server.env.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "MLFLOW_S3_IGNORE_TLS", "MLFLOW_S3_UPLOAD_EXTRA_ARGS"):
        monkeypatch.delenv(name, raising=False)
    return moto_server
