"""OTLP from other instrumentations at /v1/traces (OTLP/JSON by raw requests, as an OpenTelemetry exporter sends it):
GenAI semantic conventions, OpenInference and Traceloop attributes become MLflow span types, inputs/outputs and
token usage; a known agent's service.name lands on the root span; unreadable requests answer 422 as MLflow does."""

import json

import pytest

from tests.server.conftest import make_client

TRACE_HEX = "0af7651916cd43dd8448eb211c80319c"
HEADERS = {"Content-Type": "application/json", "x-mlflow-experiment-id": "0"}


@pytest.fixture(params=["sqlite", "file"])
def client(request, tmp_path):
    test_client, _ = make_client(tmp_path, request.param)
    with test_client:
        yield test_client


def attribute(key, value):
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def span(span_id, name, attributes, parent=None, events=()):
    out = {"traceId": TRACE_HEX, "spanId": span_id, "name": name, "kind": 1,
           "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000",
           "attributes": [attribute(k, v) for k, v in attributes.items()], "status": {"code": 1},
           "events": list(events)}
    if parent:
        out["parentSpanId"] = parent
    return out


def export(spans, service="claude-code"):
    return {"resourceSpans": [{"resource": {"attributes": [attribute("service.name", service)]},
                               "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]}]}


def stored_spans(client):
    response = client.get("/api/3.0/mlflow/traces/get", params={"trace_id": f"tr-{TRACE_HEX}"})
    assert response.status_code == 200, response.text
    trace = response.json()["trace"]
    by_name = {}
    for item in trace["spans"]:
        by_name[item["name"]] = {a["key"]: a["value"] for a in item.get("attributes", [])}
    return trace["trace_info"], by_name


def value_of(anyvalue):
    """The attribute's value (the REST API sends span attributes as OTLP AnyValues)."""
    from runtime.tracing.otlp import anyvalue_to_python

    return anyvalue_to_python(anyvalue)


def test_genai_openinference_and_traceloop_spans_are_translated(client):
    root = span("1111111111111111", "agent", {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.input.messages": json.dumps([{"role": "user", "content": "hi"}]),
        "gen_ai.output.messages": json.dumps([{"role": "assistant", "content": "hello"}]),
    })
    chat = span("2222222222222222", "chat", {
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-x", "gen_ai.provider.name": "openai",
        "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5,
        "gen_ai.usage.cache_read.input_tokens": 2,
    }, parent="1111111111111111", events=[
        {"name": "gen_ai.user.message", "attributes": [attribute("content", "hi")]},
        {"name": "gen_ai.choice", "attributes": [attribute("content", "hello")]},
    ])
    retriever = span("3333333333333333", "retrieve", {
        "openinference.span.kind": "RETRIEVER", "input.value": "query text", "output.value": "docs",
        "llm.token_count.prompt": 3, "llm.token_count.completion": 4, "llm.token_count.total": 7,
    }, parent="1111111111111111")
    tool = span("4444444444444444", "tool", {
        "traceloop.span.kind": "tool", "traceloop.entity.input": json.dumps({"q": 1}),
        "traceloop.entity.output": json.dumps({"a": 2}),
    }, parent="1111111111111111")
    response = client.post("/v1/traces", json=export([root, chat, retriever, tool]), headers=HEADERS)
    assert response.status_code == 200, response.text
    info, spans = stored_spans(client)

    assert value_of(spans["agent"]["mlflow.spanType"]) == "AGENT"
    assert json.loads(value_of(spans["agent"]["mlflow.spanInputs"])) == [{"role": "user", "content": "hi"}]
    assert value_of(spans["agent"]["service.name"]) == "claude-code"
    assert "service.name" not in spans["chat"]

    assert value_of(spans["chat"]["mlflow.spanType"]) == "CHAT_MODEL"
    assert value_of(spans["chat"]["mlflow.chat.tokenUsage"]) == {
        "input_tokens": 10, "output_tokens": 5, "total_tokens": 15, "cache_read_input_tokens": 2}
    assert value_of(spans["chat"]["mlflow.llm.model"]) == "gpt-x"
    assert value_of(spans["chat"]["mlflow.llm.provider"]) == "openai"
    assert value_of(spans["chat"]["mlflow.spanInputs"]) == [{"role": "user", "content": "hi"}]
    assert value_of(spans["chat"]["mlflow.spanOutputs"]) == [{"role": "assistant", "content": "hello"}]

    assert value_of(spans["retrieve"]["mlflow.spanType"]) == "RETRIEVER"
    assert value_of(spans["retrieve"]["mlflow.spanInputs"]) == "query text"
    assert value_of(spans["retrieve"]["mlflow.chat.tokenUsage"]) == {
        "input_tokens": 3, "output_tokens": 4, "total_tokens": 7}

    assert value_of(spans["tool"]["mlflow.spanType"]) == "TOOL"
    assert json.loads(value_of(spans["tool"]["mlflow.spanOutputs"])) == {"a": 2}

    usage = json.loads(info["trace_metadata"]["mlflow.trace.tokenUsage"])
    assert usage["input_tokens"] == 13 and usage["output_tokens"] == 9 and usage["total_tokens"] == 22


def test_existing_mlflow_attributes_are_kept_and_unknown_services_not_copied(client):
    root = span("1111111111111111", "root", {"mlflow.spanType": json.dumps("CHAIN"),
                                             "openinference.span.kind": "LLM",
                                             "mlflow.spanInputs": json.dumps({"x": 1}), "input.value": "other"})
    response = client.post("/v1/traces", json=export([root], service="my-service"), headers=HEADERS)
    assert response.status_code == 200, response.text
    _, spans = stored_spans(client)
    # Attributes come back as the exporter sent them (here JSON text, as MLflow's own client writes them).
    assert value_of(spans["root"]["mlflow.spanType"]) == json.dumps("CHAIN")
    assert value_of(spans["root"]["mlflow.spanInputs"]) == json.dumps({"x": 1})
    assert "service.name" not in spans["root"]


def test_422_where_mlflow_answers_422(client):
    body = export([span("1111111111111111", "root", {})])
    missing_header = client.post("/v1/traces", json=body, headers={"Content-Type": "application/json"})
    assert missing_header.status_code == 422
    no_span_id = export([{**span("1111111111111111", "root", {}), "spanId": ""}])
    unreadable = client.post("/v1/traces", json=no_span_id, headers=HEADERS)
    assert unreadable.status_code == 422
    assert unreadable.json()["message"] == "Cannot convert OpenTelemetry span to MLflow span"
    wrong_type = client.post("/v1/traces", content=b"{}", headers={**HEADERS, "Content-Type": "application/xml"})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["message"] == ("Invalid Content-Type: application/xml. "
                                            "Expected: application/x-protobuf or application/json")


def test_trace_text_filter_matches_span_content(client):
    first = span("1111111111111111", "root", {"input.value": "Where is my REFUND?"})
    other = {**span("2222222222222222", "root", {"input.value": "shipping times"}),
             "traceId": "1af7651916cd43dd8448eb211c80319c"}
    for item in (first, other):
        assert client.post("/v1/traces", json=export([item]), headers=HEADERS).status_code == 200
    location = [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "0"}}]

    def found(filter_string):
        response = client.post("/api/3.0/mlflow/traces/search", json={"locations": location, "filter": filter_string})
        assert response.status_code == 200, response.text
        return sorted(t["trace_id"] for t in response.json().get("traces", []))

    assert found("trace.text ILIKE '%refund%'") == [f"tr-{TRACE_HEX}"]
    assert found("trace.text LIKE '%shipping%' AND status = 'OK'") == ["tr-1af7651916cd43dd8448eb211c80319c"]
    assert found("trace.text ILIKE '%nowhere%'") == []
    refused = client.post("/api/3.0/mlflow/traces/search", json={"locations": location, "filter": "trace.text = 'x'"})
    assert refused.status_code == 400 and "trace.text" in refused.json()["message"]
