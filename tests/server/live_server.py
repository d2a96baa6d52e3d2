"""Run `mlf server` as a real process on 127.0.0.1 and a free port, for tests.

    with LiveServer(backend_store_uri=..., artifacts_destination=...) as server:
        requests.get(server.url + "/health")

The server is stopped with SIGTERM when the block ends (SIGKILL if it does
not stop in time) and its output is kept for assertions and failure messages.
"""

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.processes import free_port, read_log, wait_until_answers

ROOT = Path(__file__).resolve().parents[2]


class LiveServer:
    def __init__(self, backend_store_uri, artifacts_destination=None, extra_args=(), env=None, cwd=None,
                 port=None, wait_path="/health"):
        self.port = port or free_port()
        self.backend_store_uri = backend_store_uri
        self.artifacts_destination = artifacts_destination
        self.extra_args = list(extra_args)
        self.env = env
        self.cwd = cwd
        self.wait_path = wait_path
        self.process = None
        self._log = None
        # mlf's own server must stop on SIGTERM (a test fails otherwise); a peer mlflow under a
        # loaded machine sometimes ignores it for half a minute, which says nothing about mlf.
        self.must_stop_on_signal = True

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        cmd = [sys.executable, "-m", "runtime", "server", "--host", "127.0.0.1", "--port", str(self.port),
               "--backend-store-uri", self.backend_store_uri]
        if self.artifacts_destination:
            cmd += ["--artifacts-destination", str(self.artifacts_destination)]
        return cmd + self.extra_args

    def start(self):
        if self.process is not None and self.process.poll() is None:
            # A second start would orphan the first process (`with server.start():` did, once per run).
            raise RuntimeError("this LiveServer is already running; use `with server:` or start() alone")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env.pop("MLFLOW_TRACKING_URI", None)
        env.update(self.env or {})
        self._log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(self.command(), cwd=self.cwd or ROOT, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self):
        wait_until_answers(self, self.url + self.wait_path, "mlf server")

    def output(self):
        return read_log(self._log)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the server; returns its exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            if not self.must_stop_on_signal:
                return self.process.returncode
            raise RuntimeError(f"mlf server ignored {sig!r} for {timeout}s:\n{self.output()}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            if self._log is not None:
                self._log.close()


def mlflow_peer_server(tmp_path):
    """A LiveServer running the real `mlflow server` 3.17.2 (pinned peer venv) on sqlite with proxied artifacts."""
    from tests.support.mlflow_venv import mlflow_python

    server = LiveServer(f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "mlflow-artifacts", cwd=tmp_path)
    server.command = lambda: [mlflow_python(), "-m", "mlflow", "server", "--host", "127.0.0.1",
                              "--port", str(server.port), "--backend-store-uri", server.backend_store_uri,
                              "--artifacts-destination", str(server.artifacts_destination), "--workers", "1"]
    server.must_stop_on_signal = False
    return server
