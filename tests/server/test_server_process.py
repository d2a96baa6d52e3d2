"""`mlf server` as a real process: options, workers, graceful shutdown, prefix, metrics, modes."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.server.live_server import ROOT, LiveServer, free_port

SEARCH = "/api/2.0/mlflow/experiments/search"
CREATE = "/api/2.0/mlflow/experiments/create"


def sqlite_uri(tmp_path):
    return f"sqlite:///{tmp_path / 'mlf.db'}"


def run_mlf(args, env=None, timeout=60):
    full_env = dict(os.environ, PYTHONPATH=str(ROOT))
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "runtime", *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=timeout)


def test_sigterm_finishes_the_request_in_progress_then_exits(tmp_path):
    server = LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts").start()
    try:
        payload = os.urandom(2_000_000)
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall((
            f"PUT /api/2.0/mlflow-artifacts/artifacts/1/slow.bin HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload[:1000])
        time.sleep(0.5)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.process.poll() is None, "the server must wait for the upload in progress"
        sock.sendall(payload[1000:])
        reply = sock.recv(4096)
        sock.close()
        assert reply.startswith(b"HTTP/1.1 200"), reply
        server.process.wait(timeout=30)
        assert (tmp_path / "artifacts" / "1" / "slow.bin").read_bytes() == payload
        output = server.output()
        assert "Application shutdown complete" in output
        assert server.process.returncode in (0, -signal.SIGTERM)
    finally:
        server.__exit__(None, None, None)


def test_sigint_stops_the_server_gracefully(tmp_path):
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts") as server:
        assert requests.post(server.url + CREATE, json={"name": "before-sigint"}).status_code == 200
        code = server.stop(signal.SIGINT)
        assert code in (0, 130, -signal.SIGINT)
        assert "Application shutdown complete" in server.output()


def test_static_prefix_moves_every_route(tmp_path):
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts", ["--static-prefix", "/mlflow/"],
                    wait_path="/mlflow/health") as server:
        assert requests.get(server.url + "/mlflow/version").status_code == 200
        assert requests.post(server.url + "/mlflow" + CREATE, json={"name": "prefixed"}).status_code == 200
        assert requests.put(server.url + "/mlflow/api/2.0/mlflow-artifacts/artifacts/1/a.txt", data=b"a").status_code == 200
        for path in ("/health", SEARCH, "/api/2.0/mlflow-artifacts/artifacts/1/a.txt"):
            assert requests.get(server.url + path).status_code == 404
        from runtime.store.rest.store import RestStore

        store = RestStore(server.url + "/mlflow")
        assert store.get_experiment_by_name("prefixed").name == "prefixed"
        store.close()


def test_two_workers_serve_and_prometheus_adds_up_their_counts(tmp_path):
    metrics_dir = tmp_path / "prom"
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts",
                    ["--workers", "2", "--expose-prometheus", str(metrics_dir)]) as server:
        session = requests.Session()
        for index in range(30):
            # New connections spread the requests over both workers.
            assert requests.post(server.url + CREATE, json={"name": f"w{index}"}).status_code == 200
        pids = {path.name for path in metrics_dir.glob("mlf-metrics-*.json")}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(1.2)
            text = session.get(server.url + "/metrics").text
            match = re.search(
                r'mlf_http_requests_total\{method="POST",route="/api/2.0/mlflow/experiments/create",status="200"\} (\d+)',
                text)
            if match and int(match.group(1)) == 30:
                break
        assert match and int(match.group(1)) == 30, text
        assert 'mlf_http_request_duration_seconds_bucket{method="POST",route="/api/2.0/mlflow/experiments/create",status="200",le="+Inf"} 30' in text
        assert "# TYPE mlf_http_request_duration_seconds histogram" in text
        pids = {path.name for path in metrics_dir.glob("mlf-metrics-*.json")}
        assert len(pids) == 2, pids
        names = [e["name"] for e in session.post(server.url + SEARCH, json={"max_results": 100}).json()["experiments"]]
        assert len(names) == 31


def test_metrics_label_unknown_routes_without_their_path(tmp_path):
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts", ["--expose-prometheus", str(tmp_path / "p")]) as server:
        run = requests.get(server.url + "/api/2.0/mlflow/runs/get", params={"run_id": "abc"})
        assert run.status_code == 404
        requests.get(server.url + "/no/such/secret-path")
        text = requests.get(server.url + "/metrics").text
        assert 'route="/api/2.0/mlflow/runs/get",status="404"' in text
        assert "secret-path" not in text and 'route="<unmatched>",status="404"' in text


def test_artifacts_only_serves_artifacts_and_never_opens_the_backend(tmp_path):
    with LiveServer("postgresql+psycopg://nobody@127.0.0.1:1/nothing", tmp_path / "artifacts",
                    ["--artifacts-only"]) as server:
        assert requests.put(server.url + "/api/2.0/mlflow-artifacts/artifacts/x/y.txt", data=b"y").status_code == 200
        assert requests.get(server.url + "/api/2.0/mlflow-artifacts/artifacts/x/y.txt").content == b"y"
        disabled = requests.post(server.url + CREATE, json={"name": "no"})
        assert disabled.status_code == 503 and "--artifacts-only" in disabled.text


def test_no_serve_artifacts_disables_the_proxy_and_uses_a_local_root(tmp_path):
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts", ["--no-serve-artifacts"], cwd=tmp_path) as server:
        response = requests.put(server.url + "/api/2.0/mlflow-artifacts/artifacts/x/y.txt", data=b"y")
        assert response.status_code == 503 and response.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
        experiment_id = requests.post(server.url + CREATE, json={"name": "local"}).json()["experiment_id"]
        location = requests.get(server.url + "/api/2.0/mlflow/experiments/get",
                                params={"experiment_id": experiment_id}).json()["experiment"]["artifact_location"]
        assert location == str(tmp_path / "mlruns" / experiment_id)


def test_default_artifact_root_is_handed_to_new_experiments(tmp_path):
    root = tmp_path / "artifacts" / "root"
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts", ["--default-artifact-root", str(root)]) as server:
        experiment_id = requests.post(server.url + CREATE, json={"name": "rooted"}).json()["experiment_id"]
        location = requests.get(server.url + "/api/2.0/mlflow/experiments/get",
                                params={"experiment_id": experiment_id}).json()["experiment"]["artifact_location"]
        assert location == f"{root}/{experiment_id}"


def test_uvicorn_opts_are_passed_to_uvicorn(tmp_path):
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts",
                    ["--uvicorn-opts", "--no-access-log --timeout-keep-alive 3"]) as server:
        requests.get(server.url + SEARCH)
        assert "GET /api/2.0/mlflow/experiments/search" not in server.output()


def test_options_come_from_environment_variables(tmp_path):
    port = free_port()
    env = {"MLFLOW_PORT": str(port), "MLFLOW_SERVER_ALLOWED_HOSTS": "only.example.com",
           "MLFLOW_BACKEND_STORE_URI": sqlite_uri(tmp_path)}
    server = LiveServer(sqlite_uri(tmp_path), tmp_path / "a", env=env, port=port)
    server.command = lambda: [sys.executable, "-m", "runtime", "ui", "--host", "127.0.0.1"]
    with server:
        assert requests.get(server.url + SEARCH).status_code == 403
        assert requests.get(server.url + SEARCH, headers={"Host": "only.example.com"}).status_code == 200


@pytest.mark.parametrize("args, message", [
    (["--dev", "--uvicorn-opts", "--log-level debug"], "--dev cannot be used"),
    (["--gunicorn-opts", "-t 5", "--uvicorn-opts=--no-access-log"], "cannot be used together"),
    (["--waitress-opts", "--threads 4"], "--uvicorn-opts"),
    (["--uvicorn-opts=--no-such-option"], "Invalid --uvicorn-opts"),
    (["--static-prefix", "no-slash"], "must start with '/'"),
    (["--workers", "0"], "0"),
])
def test_bad_option_combinations_fail_clearly(tmp_path, args, message):
    result = run_mlf(["server", "--backend-store-uri", sqlite_uri(tmp_path), "--port", str(free_port()), *args])
    assert result.returncode == 2, result
    assert message in result.stderr


def test_gunicorn_opts_run_gunicorn_with_uvicorn_workers(tmp_path):
    pytest.importorskip("gunicorn")
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts",
                    ["--gunicorn-opts", "--log-level info --timeout 60", "--workers", "2"]) as server:
        assert requests.post(server.url + CREATE, json={"name": "via-gunicorn"}).status_code == 200
        assert "gunicorn" in server.output().lower()
        code = server.stop()
        assert code == 0


def test_gunicorn_opts_without_gunicorn_is_a_clear_error(monkeypatch):
    from runtime.errors import MlfError
    from runtime.server.config import ServerConfig
    from runtime.server.run import run_gunicorn

    monkeypatch.setitem(sys.modules, "gunicorn.app.wsgiapp", None)
    with pytest.raises(MlfError, match="pip install gunicorn"):
        run_gunicorn(ServerConfig(gunicorn_opts="--timeout 5"))


def test_dev_mode_reloads(tmp_path):
    with LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts", ["--dev"]) as server:
        assert requests.get(server.url + "/health").text == "OK"
        assert "reloader" in server.output().lower()


def test_a_live_server_cannot_be_started_twice(tmp_path):
    """Starting twice used to orphan the first process (a `python -m runtime ui` left running per test run)."""
    server = LiveServer(sqlite_uri(tmp_path), tmp_path / "artifacts")
    with server:
        first = server.process
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        assert server.process is first
    assert first.poll() is not None
