"""The REST store's HTTP behaviour against a scripted local server: retries with backoff on 429/5xx,
auth headers, TLS settings, timeouts, and error bodies mapped back to runtime.errors."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from runtime.errors import AlreadyExists, InvalidParameter, InvalidState, MlfError, NotFound
from runtime.http_client import HostCreds
from runtime.store.rest.store import RestStore

FAST = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0.05"}


class Scripted:
    """A local HTTP server answering from a queue of (status, body, headers); records every request."""

    def __init__(self, answers, delay=0.0):
        self.answers = list(answers)
        self.delay = delay
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                       "body": self.rfile.read(length) if length else b""})
                time.sleep(outer.delay)
                status, body, headers = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except BrokenPipeError:
                    pass  # the client gave up (timeout test)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


EXPERIMENT = {"experiment": {"experiment_id": "7", "name": "e", "artifact_location": "mlflow-artifacts:/7",
                             "lifecycle_stage": "active"}}


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_with_backoff(status):
    with Scripted([(status, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}, None),
                   (status, "oops", None), (200, EXPERIMENT, None)]) as server:
        store = RestStore(server.url, environ=FAST)
        started = time.monotonic()
        assert store.get_experiment("7").name == "e"
        assert len(server.requests) == 3
        assert time.monotonic() - started >= 0.05  # it backed off between attempts


def test_retries_give_up_with_a_clear_error():
    with Scripted([(503, "down", None)]) as server:
        store = RestStore(server.url, environ=FAST)
        with pytest.raises(MlfError, match="failed with status 503: down"):
            store.get_experiment("7")
        assert len(server.requests) == 4


def test_retry_after_header_is_respected():
    with Scripted([(429, "slow down", {"Retry-After": "1"}), (200, EXPERIMENT, None)]) as server:
        store = RestStore(server.url, environ=FAST)
        started = time.monotonic()
        store.get_experiment("7")
        assert time.monotonic() - started >= 0.9


def test_posts_are_retried_too():
    with Scripted([(503, "busy", None), (200, {"experiment_id": "9"}, None)]) as server:
        store = RestStore(server.url, environ=FAST)
        assert store.create_experiment("again") == "9"
        assert [r["method"] for r in server.requests] == ["POST", "POST"]
        assert json.loads(server.requests[1]["body"])["name"] == "again"


@pytest.mark.parametrize("code, error", [
    ("RESOURCE_DOES_NOT_EXIST", NotFound),
    ("RESOURCE_ALREADY_EXISTS", AlreadyExists),
    ("INVALID_PARAMETER_VALUE", InvalidParameter),
    ("INVALID_STATE", InvalidState),
])
def test_error_bodies_come_back_as_runtime_errors(code, error):
    status = 404 if code == "RESOURCE_DOES_NOT_EXIST" else 400
    with Scripted([(status, {"error_code": code, "message": "told by server"}, None)]) as server:
        with pytest.raises(error, match="told by server"):
            RestStore(server.url, environ=FAST).get_experiment("7")


def test_unknown_endpoint_and_non_json_errors_are_explained():
    with Scripted([(404, "Not Found", {"Content-Type": "text/plain"})]) as server:
        with pytest.raises(MlfError, match="status 404") as raised:
            RestStore(server.url, environ=FAST).get_experiment("7")
        assert raised.value.error_code == "ENDPOINT_NOT_FOUND"


def test_bearer_token_is_sent():
    with Scripted([(200, EXPERIMENT, None)]) as server:
        RestStore(server.url, environ={**FAST, "MLFLOW_TRACKING_TOKEN": "s3cr3t"}).get_experiment("7")
        assert server.requests[0]["headers"]["Authorization"] == "Bearer s3cr3t"


def test_basic_auth_is_sent():
    import base64

    with Scripted([(200, EXPERIMENT, None)]) as server:
        env = {**FAST, "MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": "pw"}
        RestStore(server.url, environ=env).get_experiment("7")
        expected = "Basic " + base64.b64encode(b"alice:pw").decode()
        assert server.requests[0]["headers"]["Authorization"] == expected


def test_get_requests_use_the_query_string_and_posts_json():
    with Scripted([(200, {"metrics": [{"key": "m", "value": "NaN", "timestamp": 1, "step": 0}]}, None)]) as server:
        store = RestStore(server.url, environ=FAST)
        history = store.get_metric_history("abc", "m")
        assert history[0].value != history[0].value
        assert server.requests[0]["path"].startswith("/api/2.0/mlflow/metrics/get-history?")
        assert "run_id=abc" in server.requests[0]["path"] and "metric_key=m" in server.requests[0]["path"]
    with Scripted([(200, {}, None)]) as server:
        from runtime.entities import Metric

        RestStore(server.url, environ=FAST).log_metric("abc", Metric("m", float("inf"), 1, 2))
        request = server.requests[0]
        assert request["headers"]["Content-Type"] == "application/json"
        assert json.loads(request["body"]) == {"key": "m", "value": "Infinity", "timestamp": 1, "step": 2,
                                               "run_id": "abc"}


def test_metric_history_follows_page_tokens():
    pages = [(200, {"metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}], "next_page_token": "t1"}, None),
             (200, {"metrics": [{"key": "m", "value": 2, "timestamp": 1, "step": 1}]}, None)]
    with Scripted(pages) as server:
        history = RestStore(server.url, environ=FAST).get_metric_history("abc", "m")
        assert [m.step for m in history] == [0, 1]
        assert "page_token=t1" in server.requests[1]["path"]


def test_timeout_is_applied():
    with Scripted([(200, EXPERIMENT, None)], delay=2.0) as server:
        env = {"MLFLOW_HTTP_REQUEST_TIMEOUT": "0.5", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"}
        started = time.monotonic()
        with pytest.raises(MlfError, match="failed"):
            RestStore(server.url, environ=env).get_experiment("7")
        assert time.monotonic() - started < 1.9


def test_connection_refused_is_a_clear_error():
    from tests.server.live_server import free_port

    store = RestStore(f"http://127.0.0.1:{free_port()}", environ={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    with pytest.raises(MlfError, match="API request to http://127.0.0.1"):
        store.get_experiment("0")


def test_insecure_tls_setting_turns_certificate_checks_off():
    secure = HostCreds.from_env("https://example.invalid", {})
    insecure = HostCreds.from_env("https://example.invalid", {"MLFLOW_TRACKING_INSECURE_TLS": "true"})
    from runtime.http_client import HttpClient

    assert HttpClient(secure).session.verify is True
    assert HttpClient(insecure).session.verify is False


def test_bad_numeric_settings_are_refused():
    with pytest.raises(InvalidParameter, match="MLFLOW_HTTP_REQUEST_TIMEOUT"):
        HostCreds.from_env("http://x", {"MLFLOW_HTTP_REQUEST_TIMEOUT": "soon"})
