"""The server's trace routes in process (starlette TestClient) over SQLite and file stores: the messages the real
client sends (from mlflow-wire-samples.json) and the answers it expects."""

import gzip
import json
from pathlib import Path

import pytest

from tests.server.conftest import make_client

FIXTURES = Path(__file__).parent / "fixtures"
OTLP = (FIXTURES / "otlp_export_request.bin").read_bytes()
TRACE_ID = "tr-751ad432b6fbf04e3a453c6fcbf4b156"
START_TRACE = {"trace": {"trace_info": {
    "trace_id": TRACE_ID,
    "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "0"}},
    "request_time": "2026-11-28T01:34:39.678Z", "execution_duration": "0.058s", "state": "OK",
    "trace_metadata": {"mlflow.trace_schema.version": "3", "mlflow.user": "root", "mlflow.traceInputs": '{"x": 21}'},
    "tags": {"mlflow.traceName": "predict"}, "request_preview": '{"x": 21}', "response_preview": "42"}}}
PROTOBUF = {"Content-Type": "application/x-protobuf", "x-mlflow-experiment-id": "0"}


def v3(path):
    return f"/api/3.0/mlflow{path}"


@pytest.fixture(params=["sqlite", "file"])
def client(request, tmp_path):
    test_client, config = make_client(tmp_path, request.param)
    with test_client:
        test_client.config = config
        yield test_client


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json() if response.content else {}


def test_client_logging_sequence_spans_then_info(client):
    response = client.post("/v1/traces", content=OTLP, headers=PROTOBUF)
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-protobuf"
    assert response.content == b""
    info = _ok(client.post(v3("/traces"), json=START_TRACE))["trace"]["trace_info"]
    assert info["execution_duration"] == "0.058s" and info["request_time"] == "2026-11-28T01:34:39.678Z"
    assert info["tags"]["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    assert info["tags"]["mlflow.artifactLocation"].endswith(f"/traces/{TRACE_ID}/artifacts")
    assert info["trace_metadata"]["mlflow.user"] == "root"
    assert info["trace_metadata"]["mlflow.trace.infoFinalized"] == "true"
    trace = _ok(client.get(v3("/traces/get"), params={"trace_id": TRACE_ID, "allow_partial": "False"}))["trace"]
    assert trace["trace_info"]["trace_id"] == TRACE_ID
    root, inner = trace["spans"]
    assert "parent_span_id" not in root and inner["parent_span_id"] == root["span_id"]
    assert {"key": "mlflow.spanType", "value": {"string_value": "CHAIN"}} in root["attributes"]
    assert {"key": "mlflow.spanInputs",
            "value": {"kvlist_value": {"values": [{"key": "x", "value": {"int_value": 21}}]}}} in root["attributes"]
    assert root["status"] == {"code": "STATUS_CODE_OK"}
    assert _ok(client.get(v3(f"/traces/{TRACE_ID}")))["trace"]["trace_info"]["state"] == "OK"
    batch = _ok(client.get(v3("/traces/batchGet"), params=[("trace_ids", TRACE_ID), ("trace_ids", "tr-" + "0" * 32)]))
    assert [t["trace_info"]["trace_id"] for t in batch["traces"]] == [TRACE_ID]
    assert len(batch["traces"][0]["spans"]) == 2
    infos = _ok(client.post(v3("/traces/batchGetInfos"), json={"trace_ids": [TRACE_ID]}))
    assert infos["trace_infos"][0]["trace_id"] == TRACE_ID


def test_otlp_variants_and_refusals(client):
    assert client.post("/v1/traces", content=gzip.compress(OTLP),
                       headers={**PROTOBUF, "Content-Encoding": "gzip"}).status_code == 200
    missing = client.post("/v1/traces", content=OTLP, headers={"Content-Type": "application/x-protobuf"})
    assert missing.status_code == 422 and "x-mlflow-experiment-id" in missing.json()["message"]
    wrong_type = client.post("/v1/traces", content=OTLP, headers={**PROTOBUF, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 400 and "Content-Type" in wrong_type.json()["message"]
    garbage = client.post("/v1/traces", content=b"\x0a\xff\xff", headers=PROTOBUF)
    assert garbage.status_code == 400
    unknown = client.post("/v1/traces", content=OTLP, headers={**PROTOBUF, "x-mlflow-experiment-id": "999"})
    assert unknown.status_code == 404


def test_otlp_with_run_header_links_the_trace(client):
    run_id = _ok(client.post("/api/2.0/mlflow/runs/create", json={"experiment_id": "0"}))["run"]["info"]["run_id"]
    assert client.post("/v1/traces", content=OTLP, headers={**PROTOBUF, "x-mlflow-run-id": run_id}).status_code == 200
    found = _ok(client.post(v3("/traces/search"), json={
        "locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "0"}}],
        "filter": f"run_id = '{run_id}'"}))
    assert [t["trace_id"] for t in found["traces"]] == [TRACE_ID]


def test_search_tags_and_deletion(client):
    client.post("/v1/traces", content=OTLP, headers=PROTOBUF)
    location = [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "0"}}]
    _ok(client.patch(v3(f"/traces/{TRACE_ID}/tags"), json={"key": "env", "value": "prod"}))
    _ok(client.patch(f"/api/2.0/mlflow/traces/{TRACE_ID}/tags", json={"key": "team", "value": "a"}))
    found = _ok(client.post(v3("/traces/search"), json={"locations": location, "filter": "tags.env = 'prod'",
                                                        "max_results": 10, "order_by": ["timestamp_ms DESC"]}))
    assert found["traces"][0]["tags"]["team"] == "a" and "next_page_token" not in found
    v2 = _ok(client.get("/api/2.0/mlflow/traces", params={"experiment_ids": "0", "filter": "name = 'predict'"}))
    assert v2["traces"][0]["request_id"] == TRACE_ID and v2["traces"][0]["timestamp_ms"] == 1795829679678
    assert _ok(client.get(f"/api/2.0/mlflow/traces/{TRACE_ID}/info"))["trace_info"]["status"] == "OK"
    too_many = client.post(v3("/traces/search"), json={"locations": location, "max_results": 501})
    assert too_many.status_code == 400 and "at most 500" in too_many.json()["message"]
    bad_filter = client.post(v3("/traces/search"), json={"locations": location, "filter": "status = OK"})
    assert bad_filter.status_code == 400 and "position 10" in bad_filter.json()["message"]
    _ok(client.request("DELETE", v3(f"/traces/{TRACE_ID}/tags"), json={"key": "env"}))
    gone = client.request("DELETE", v3(f"/traces/{TRACE_ID}/tags"), json={"key": "env"})
    assert gone.status_code == 404 and gone.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    deleted = _ok(client.post(v3("/traces/delete-traces"), json={"experiment_id": "0", "request_ids": [TRACE_ID]}))
    assert deleted == {"traces_deleted": 1}
    assert client.get(v3(f"/traces/{TRACE_ID}")).status_code == 404


def test_assessments(client):
    client.post("/v1/traces", content=OTLP, headers=PROTOBUF)
    sample = {"assessment": {"assessment_name": "quality", "trace_id": TRACE_ID,
                             "source": {"source_type": "HUMAN", "source_id": "probe@example.com"},
                             "create_time": "2026-11-28T00:13:31.216Z", "last_update_time": "2026-11-28T00:13:31.216Z",
                             "feedback": {"value": True}, "rationale": "looks right", "valid": True}}
    created = _ok(client.post(v3(f"/traces/{TRACE_ID}/assessments"), json=sample))["assessment"]
    assessment_id = created["assessment_id"]
    assert assessment_id.startswith("a-") and created["feedback"] == {"value": True}
    assert created["source"] == sample["assessment"]["source"] and created["valid"] is True
    path = v3(f"/traces/{TRACE_ID}/assessments/{assessment_id}")
    assert _ok(client.get(path))["assessment"]["rationale"] == "looks right"
    updated = _ok(client.patch(path, json={"assessment": {"feedback": {"value": 0.25}, "rationale": "partly"},
                                           "update_mask": "feedback,rationale"}))["assessment"]
    assert updated["feedback"] == {"value": 0.25} and updated["rationale"] == "partly"
    renamed = client.patch(path, json={"assessment": {"assessment_name": "other"}, "update_mask": "assessmentName"})
    assert renamed.status_code == 200 and renamed.json()["assessment"]["assessment_name"] == "other"
    wrong_kind = client.patch(path, json={"assessment": {"expectation": {"value": 1}}, "update_mask": "expectation"})
    assert wrong_kind.status_code == 400
    mismatch = client.post(v3(f"/traces/{TRACE_ID}/assessments"),
                           json={"assessment": {**sample["assessment"], "trace_id": "tr-" + "1" * 32}})
    assert mismatch.status_code == 400
    _ok(client.delete(path))
    assert client.get(path).status_code == 404


def test_scorers(client):
    body = {"experiment_id": "0", "name": "judge", "serialized_scorer": json.dumps({"name": "judge"})}
    first = _ok(client.post(v3("/scorers/register"), json=body))
    second = _ok(client.post(v3("/scorers/register"), json=body))
    assert (first["version"], second["version"]) == (1, 2) and first["scorer_id"] == second["scorer_id"]
    listed = _ok(client.get(v3("/scorers/list"), params={"experiment_id": "0"}))["scorers"]
    assert [(s["scorer_name"], s["scorer_version"], s["experiment_id"]) for s in listed] == [("judge", 2, 0)]
    versions = _ok(client.get(v3("/scorers/versions"), params={"experiment_id": "0", "name": "judge"}))["scorers"]
    assert [v["scorer_version"] for v in versions] == [1, 2]
    one = _ok(client.get(v3("/scorers/get"), params={"experiment_id": "0", "name": "judge", "version": "1"}))
    assert one["scorer"]["scorer_version"] == 1
    _ok(client.request("DELETE", v3("/scorers/delete"), json={"experiment_id": "0", "name": "judge"}))
    assert client.get(v3("/scorers/get"), params={"experiment_id": "0", "name": "judge"}).status_code == 404


def test_spans_uploaded_as_traces_json_are_served(client):
    """A client that uploaded traces.json through the artifact proxy instead of OTLP still gets its spans."""
    from runtime.tracing.entities import Span, spans_to_json
    from runtime.tracing.otlp import spans_from_export_request

    info = _ok(client.post(v3("/traces"), json=START_TRACE))["trace"]["trace_info"]
    location = info["tags"]["mlflow.artifactLocation"]
    spans = [Span.from_proto_json(s) for s in spans_from_export_request(OTLP)]
    if location.startswith("mlflow-artifacts:"):
        relative = location.split(":", 1)[1].lstrip("/") + "/traces.json"
        _ok(client.put(f"/api/2.0/mlflow-artifacts/artifacts/{relative}", content=spans_to_json(spans)))
    else:
        from runtime.store.contract.traces import local_path_of

        folder = Path(local_path_of(location))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "traces.json").write_text(spans_to_json(spans))
    trace = _ok(client.get(v3("/traces/get"), params={"trace_id": TRACE_ID}))["trace"]
    assert [s["name"] for s in trace["spans"]] == ["predict", "inner"]
    artifact = client.get("/ajax-api/2.0/mlflow/get-trace-artifact", params={"request_id": TRACE_ID})
    assert [s["name"] for s in json.loads(artifact.content)["spans"]] == ["predict", "inner"]
