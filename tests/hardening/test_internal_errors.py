"""A failure inside the server answers a generic 500 with a request id; the details go to the log only."""

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
