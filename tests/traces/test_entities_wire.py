"""The trace model's JSON forms and the OTLP codec, checked against what real MLflow 3.17.2 produced.

fixtures/otlp_export_request.bin is the ExportTraceServiceRequest MLflow's client
built for a two-span trace; the .json beside it holds protobuf's own JSON of that
request and the trace's Trace.to_dict() as MLflow printed it.
"""

import json
from pathlib import Path

import pytest

from runtime.errors import InvalidParameter
from runtime.tracing.entities import (
    EXPECTATION,
    FEEDBACK,
    Assessment,
    AssessmentSource,
    Span,
    Trace,
    TraceInfo,
    otel_trace_id_from_trace_id,
    trace_id_from_otel,
)
from runtime.tracing.otlp import (
    decode_message,
    encode_message,
    export_request_bytes,
    python_to_anyvalue,
    anyvalue_to_python,
    spans_from_export_request,
)
from runtime.tracing.timefmt import duration_to_ms, ms_to_duration, ms_to_timestamp, timestamp_to_ms

FIXTURES = Path(__file__).parent / "fixtures"
REQUEST = (FIXTURES / "otlp_export_request.bin").read_bytes()
EXPECTED = json.loads((FIXTURES / "otlp_export_request.json").read_text())


def _ints(node):
    """protobuf's JSON writes 64-bit ints as strings; compare as numbers."""
    if isinstance(node, dict):
        return {k: _ints(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_ints(v) for v in node]
    if isinstance(node, str) and node.lstrip("-").isdigit():
        return int(node)
    return node


def test_decoding_matches_protobuf_json():
    assert _ints(decode_message(REQUEST)) == _ints(EXPECTED["proto_json"])


def test_encoding_reproduces_the_client_bytes():
    assert encode_message(decode_message(REQUEST)) == REQUEST


def test_spans_convert_to_mlflow_traces_json_form():
    spans = [Span.from_proto_json(s) for s in spans_from_export_request(REQUEST)]
    assert [s.to_dict() for s in spans] == EXPECTED["trace"]["data"]["spans"]
    root, inner = spans
    assert root.is_root and inner.parent_span_id == root.span_id
    assert inner.span_type == "LLM" and inner.inputs["l"] == [1, 2.5, True, None, "s"]
    assert trace_id_from_otel(root.trace_id) == EXPECTED["trace"]["info"]["trace_id"] == root.request_id


def test_proto_json_round_trip_of_spans():
    spans = [Span.from_proto_json(s) for s in spans_from_export_request(REQUEST)]
    again = [Span.from_proto_json(s.to_proto_json()) for s in spans]
    assert [s.to_dict() for s in again] == [s.to_dict() for s in spans]
    rebuilt = spans_from_export_request(export_request_bytes([s.to_proto_json() for s in spans]))
    assert [Span.from_proto_json(s).to_dict() for s in rebuilt] == [s.to_dict() for s in spans]


def test_otlp_json_with_hex_ids_and_camel_case():
    body = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "op",
        "startTimeUnixNano": "1544712660000000000", "endTimeUnixNano": "1544712661000000000", "kind": 2,
        "attributes": [{"key": "k", "value": {"intValue": "5"}}], "status": {"code": 2, "message": "bad"}}]}]}]})
    (span,) = spans_from_export_request(body.encode(), "application/json; charset=utf-8")
    converted = Span.from_proto_json(span)
    assert trace_id_from_otel(converted.trace_id) == "tr-5b8efff798038103d269b633813fc60c"
    assert converted.attribute("k") == 5 and converted.status_code == "STATUS_CODE_ERROR"
    assert converted.status_message == "bad" and converted.kind == "SPAN_KIND_SERVER"


@pytest.mark.parametrize("payload, content_type, fragment", [
    (b"\x0a\x05\x01", "application/x-protobuf", "runs past the end"),
    (b"", "application/x-protobuf", "no spans found"),
    (b"{not json", "application/json", "Invalid OpenTelemetry format"),
    (b"", "text/plain", "Invalid Content-Type"),
])
def test_bad_payloads_are_refused(payload, content_type, fragment):
    with pytest.raises(InvalidParameter, match=fragment):
        spans_from_export_request(payload, content_type)


@pytest.mark.parametrize("value", [None, True, -5, 2**62, 1.25, "s", [1, "a", [2]], {"a": {"b": [None, 3]}}])
def test_anyvalue_round_trip(value):
    assert anyvalue_to_python(python_to_anyvalue(value)) == value


@pytest.mark.parametrize("ms, text", [(0, "1970-01-01T00:00:00Z"), (1795824809867, "2026-11-28T00:13:29.867Z"),
                                      (1000, "1970-01-01T00:00:01Z")])
def test_timestamps(ms, text):
    assert ms_to_timestamp(ms) == text and timestamp_to_ms(text) == ms


def test_timestamp_variants():
    assert timestamp_to_ms("2026-11-28T00:13:29.867123456Z") == 1795824809867
    assert timestamp_to_ms("2026-11-28T01:13:29.867+01:00") == 1795824809867
    with pytest.raises(InvalidParameter):
        timestamp_to_ms("yesterday")


@pytest.mark.parametrize("ms, text", [(1, "0.001s"), (60, "0.060s"), (1500, "1.500s"), (2000, "2s"), (0, "0s")])
def test_durations(ms, text):
    assert ms_to_duration(ms) == text and duration_to_ms(text) == ms


def test_trace_info_forms_match_mlflow():
    info = TraceInfo.from_dict(EXPECTED["trace"]["info"])
    assert info.to_dict() == EXPECTED["trace"]["info"]
    rest = info.to_proto_json()
    assert rest["execution_duration"] == f"{info.execution_duration / 1000:.3f}s"
    assert "execution_duration_ms" not in rest
    assert TraceInfo.from_dict(rest) == info
    v2 = info.to_v2_dict()
    assert v2["request_id"] == info.trace_id and v2["timestamp_ms"] == info.request_time
    assert TraceInfo.from_dict(v2).trace_metadata == info.trace_metadata


def test_trace_id_conversions():
    trace_id = "tr-59dcf32954f659dd670a57e188e7dcf6"
    assert otel_trace_id_from_trace_id(trace_id) == "WdzzKVT2Wd1nClfhiOfc9g=="
    assert trace_id_from_otel("WdzzKVT2Wd1nClfhiOfc9g==") == trace_id


def test_assessment_forms():
    feedback = Assessment(name="quality", kind=FEEDBACK, value={"score": 1}, trace_id="tr-1",
                          source=AssessmentSource("HUMAN", "me"), rationale="why", metadata={"m": "1"},
                          create_time_ms=1000, last_update_time_ms=2000, assessment_id="a-1")
    data = feedback.to_dict()
    assert data["feedback"] == {"value": {"score": 1}} and data["create_time"] == "1970-01-01T00:00:01Z"
    assert Assessment.from_dict(data) == feedback
    expectation = Assessment(name="expected", kind=EXPECTATION, value={"y": 42}, trace_id="tr-1",
                             assessment_id="a-2", create_time_ms=5, last_update_time_ms=5)
    data = expectation.to_dict()
    assert data["expectation"] == {"serialized_value": {"serialization_format": "JSON_FORMAT", "value": '{"y": 42}'}}
    assert Assessment.from_dict(data).value == {"y": 42}
    plain = Assessment(name="e", kind=EXPECTATION, value="Paris", trace_id="tr-1").to_dict()
    assert plain["expectation"] == {"value": "Paris"}


def test_assessment_from_mlflow_wire_sample():
    sample = {"assessment_id": "a-7055ad9abfe949c796c79e1e0691eb79", "assessment_name": "quality",
              "trace_id": "tr-59dcf32954f659dd670a57e188e7dcf6",
              "source": {"source_type": "HUMAN", "source_id": "probe@example.com"},
              "create_time": "2026-11-28T00:13:31.216Z", "last_update_time": "2026-11-28T00:13:31.216Z",
              "feedback": {"value": True}, "rationale": "looks right", "valid": True}
    assessment = Assessment.from_dict(sample)
    assert assessment.value is True and assessment.source.source_id == "probe@example.com"
    assert assessment.to_dict() == sample


def test_bad_assessment_source_is_refused():
    with pytest.raises(InvalidParameter, match="source type"):
        Assessment.from_dict({"assessment_name": "x", "feedback": {"value": 1}, "source": {"source_type": "ROBOT"}})


def test_trace_to_dict_shape():
    spans = [Span.from_proto_json(s) for s in spans_from_export_request(REQUEST)]
    trace = Trace(TraceInfo.from_dict(EXPECTED["trace"]["info"]), spans)
    assert trace.to_dict() == EXPECTED["trace"]
    assert Trace.from_proto_json(json.loads(json.dumps(trace.to_proto_json()))).to_dict() == EXPECTED["trace"]
