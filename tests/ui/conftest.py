"""Fixtures for the UI tests: the server app over real stores, seeded with hostile names through the API."""

import re

import pytest

from tests.server.conftest import api, make_client

# Every user-controlled string in the fixtures: markup, both quotes, non-ASCII.
HOSTILE = "<script>alert(\"x\")</script> 'q' ü☃"
RAW_MARKERS = ("<script>alert", "</script> 'q'")


def assert_escaped(text):
    for marker in RAW_MARKERS:
        assert marker not in text, f"unescaped user string in page: {marker!r}"


def post(client, path, body, status=200):
    response = client.post(api(path), json=body)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(params=["sqlite", "file"])
def kind(request):
    return request.param


@pytest.fixture
def ui(tmp_path, kind):
    test_client, config = make_client(tmp_path, kind)
    with test_client:
        yield test_client


@pytest.fixture
def prefixed(tmp_path, kind):
    test_client, config = make_client(tmp_path, kind, static_prefix="/sub/mlf")
    with test_client:
        yield test_client


def seed(client, prefix=""):
    """An experiment and runs whose names, params, tags and metrics are hostile; returns ids."""
    path = lambda p: prefix + p  # noqa: E731
    experiment_id = client.post(path(api("/experiments/create")),
                                json={"name": "exp " + HOSTILE, "tags": [{"key": "team ü", "value": HOSTILE}]}
                                ).json()["experiment_id"]
    runs = []
    for index in range(3):
        run = client.post(path(api("/runs/create")), json={
            "experiment_id": experiment_id, "run_name": f"run{index} {HOSTILE}", "start_time": 1000 + index,
            "tags": [{"key": "note", "value": HOSTILE}]}).json()["run"]["info"]["run_id"]
        runs.append(run)
        response = client.post(path(api("/runs/log-batch")), json={
            "run_id": run,
            "params": [{"key": "p " + "ü", "value": HOSTILE}, {"key": "lr", "value": str(0.1 * (index + 1))}],
            "metrics": [{"key": "loss", "value": 1.0 / (step + 1 + index), "timestamp": 5000 + step, "step": step}
                        for step in range(20)],
            "tags": [{"key": "mlflow.note.content", "value": "# Title\n\n" + HOSTILE + " [x](javascript:alert(1))"}],
        })
        assert response.status_code == 200, response.text
    return experiment_id, runs


def links(html):
    return re.findall(r'(?:href|src|action)="([^"]*)"', html)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>'
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201"
                    "a5f4b1d00000000049454e44ae426082")
MLMODEL = b"""artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
  sklearn:
    sklearn_version: 1.5.2
signature:
  inputs: '[{"type": "double", "name": "<b>feature</b>", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
"""
ARTIFACTS = {
    "notes " + "ü<b>.txt": ("line 1 " + HOSTILE + "\n").encode(),
    "data.json": b'{"a": [1, 2], "b": "<script>alert(1)</script>"}',
    "table.csv": b"x,y\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(600)),
    "page.html": b"<html><body><script>alert(1)</script>hi</body></html>",
    "pic.svg": SVG,
    "pic.png": PNG,
    "model/MLmodel": MLMODEL,
    "blob.bin": b"\x00\x01\x02",
}


def upload_artifacts(client, run_id, prefix=""):
    """Put ARTIFACTS under the run's artifact root through the server's artifact proxy."""
    from urllib.parse import quote

    run = client.get(prefix + api("/runs/get"), params={"run_id": run_id}).json()["run"]["info"]
    root = run["artifact_uri"]
    assert root.startswith("mlflow-artifacts:/"), root
    base = root[len("mlflow-artifacts:"):].lstrip("/")
    for name, data in ARTIFACTS.items():
        response = client.put(f"{prefix}/api/2.0/mlflow-artifacts/artifacts/{base}/{quote(name)}", content=data)
        assert response.status_code == 200, response.text


def seed_trace(client, experiment_id, span_count=5, trace_number=1):
    """A trace with a chain of spans whose names and inputs are hostile, written through the server's store."""
    return write_trace(client.app.state.ctx.tracking_store, experiment_id, span_count, trace_number)


def write_trace(store, experiment_id, span_count=5, trace_number=1, fan_out=None):
    """A trace of span_count spans (a chain, or a tree with fan_out children per span), hostile names."""
    import base64
    import json

    from runtime.tracing.entities import FEEDBACK, Assessment, Span, TraceInfo

    trace_id = f"tr-{trace_number:032x}"
    otel_trace = base64.b64encode(bytes.fromhex(f"{trace_number:032x}")).decode()
    spans = []
    for index in range(span_count):
        spans.append(Span(
            trace_id=otel_trace, span_id=base64.b64encode(index.to_bytes(8, "big")).decode(),
            name=f"span{index} {HOSTILE}", start_time_unix_nano=1_000_000_000 + index * 1_000_000,
            end_time_unix_nano=1_000_000_000 + (2 * span_count - index) * 1_000_000,
            parent_span_id=base64.b64encode(((index - 1) // (fan_out or 1) if fan_out else index - 1).to_bytes(8, "big")).decode()
            if index else None,
            status_code="OK",
            attributes={"mlflow.traceRequestId": json.dumps(trace_id), "mlflow.spanType": json.dumps("CHAIN"),
                        "mlflow.spanInputs": json.dumps({"q": HOSTILE}), "mlflow.spanOutputs": json.dumps("42")}))
    store.log_spans(experiment_id, spans)
    info = TraceInfo(trace_id=trace_id, experiment_id=experiment_id, request_time=1_700_000_000_000,
                     execution_duration=12, request_preview=json.dumps({"q": HOSTILE}), response_preview="42",
                     tags={"mlflow.traceName": "predict " + HOSTILE, "team": HOSTILE})
    store.start_trace(info)
    store.create_assessment(Assessment(name="quality", kind=FEEDBACK, value=HOSTILE, trace_id=trace_id,
                                       rationale="because " + HOSTILE))
    return trace_id, [s.span_id for s in spans]
