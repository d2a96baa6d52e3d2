"""A failure inside the server answers a generic 500 with a request id; the details go to the log only."""

import asyncio
import logging
import re

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from runtime.server.routing import endpoint

SERVER_PATH = "/srv/mlf/artifacts/" + "x" * 300


def failing_handler(body, request):
    raise OSError(36, "File name too long", SERVER_PATH)


def test_unexpected_error_body_names_a_request_id_and_no_internals(caplog):
    app = Starlette(routes=[Route("/boom", endpoint(failing_handler), methods=["POST"])])
    with TestClient(app) as client, caplog.at_level(logging.ERROR, logger="mlf.server"):
        response = client.post("/boom", json={})
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"error_code", "message"} and body["error_code"] == "INTERNAL_ERROR"
    for leak in ("OSError", "File name too long", "/srv/mlf", "Traceback"):
        assert leak not in body["message"]
    request_id = re.search(r"request id ([0-9a-f]{16})", body["message"]).group(1)
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info[0] is OSError


def test_client_disconnecting_mid_body_is_one_log_line_not_an_internal_error(caplog):
    calls = []
    app = Starlette(routes=[Route("/write", endpoint(lambda body, request: calls.append(body)), methods=["POST"])])
    messages = [{"type": "http.request", "body": b'{"a": ', "more_body": True}, {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/write", "raw_path": b"/write", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1)}
    with caplog.at_level(logging.INFO, logger="mlf.server"):
        asyncio.run(app(scope, receive, send))
    assert calls == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert any("client disconnected" in r.getMessage() for r in caplog.records)
