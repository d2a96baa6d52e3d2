"""The TraceStore contract on every backend: traces, spans, tags, deletion, run links, assessments, scorers."""

import json
from pathlib import Path

import pytest

from runtime.errors import InvalidParameter, InvalidState, NotFound
from runtime.tracing.entities import EXPECTATION, FEEDBACK, Assessment, AssessmentSource, Span, TraceInfo
from runtime.tracing.otlp import spans_from_export_request

FIXTURE_SPANS = [Span.from_proto_json(s) for s in spans_from_export_request(
    (Path(__file__).parents[1] / "traces" / "fixtures" / "otlp_export_request.bin").read_bytes())]
FIXTURE_TRACE_ID = FIXTURE_SPANS[0].request_id


def _trace_id(n):
    return f"tr-{n:032x}"


def _start(store, n, experiment_id="0", **fields):
    info = TraceInfo(trace_id=_trace_id(n), experiment_id=experiment_id, request_time=fields.pop("request_time", n),
                     execution_duration=fields.pop("execution_duration", 5), **fields)
    return store.start_trace(info)


def test_start_and_get_trace_info(store):
    created = _start(store, 1, state="ERROR", request_preview='{"q": 1}', response_preview="a",
                     client_request_id="req-9", tags={"mlflow.traceName": "t"}, trace_metadata={"m.k": "v"})
    assert created.trace_id == _trace_id(1)
    fetched = store.get_trace_info(_trace_id(1))
    assert fetched.state == "ERROR" and fetched.request_preview == '{"q": 1}' and fetched.client_request_id == "req-9"
    assert fetched.trace_metadata["m.k"] == "v" and fetched.tags["mlflow.traceName"] == "t"
    assert fetched.tags["mlflow.artifactLocation"].endswith(f"/0/traces/{_trace_id(1)}/artifacts")
    with pytest.raises(NotFound):
        store.get_trace_info(_trace_id(2))


def test_start_trace_needs_an_active_experiment(store):
    experiment_id = store.create_experiment("gone")
    store.delete_experiment(experiment_id)
    with pytest.raises(InvalidState):
        _start(store, 1, experiment_id=experiment_id)
    with pytest.raises(NotFound):
        _start(store, 2, experiment_id="424242")


def test_invalid_trace_ids_are_refused(store):
    with pytest.raises(InvalidParameter):
        store.get_trace_info("../etc")
    with pytest.raises(InvalidParameter):
        store.start_trace(TraceInfo(trace_id="tr-1/2", experiment_id="0", request_time=1))


def test_logged_spans_create_the_trace_then_start_trace_merges(store):
    store.log_spans("0", FIXTURE_SPANS)
    derived = store.get_trace_info(FIXTURE_TRACE_ID)
    assert derived.state == "OK" and derived.tags["mlflow.traceName"] == "predict"
    assert derived.request_preview == '{"x": 21}' and derived.response_preview == "42"
    assert json.loads(derived.trace_metadata["mlflow.trace.tokenUsage"]) == {
        "input_tokens": 3, "output_tokens": 4, "total_tokens": 7}
    trace = store.get_trace(FIXTURE_TRACE_ID)
    assert [s.name for s in trace.spans] == ["predict", "inner"]
    assert trace.spans[1].to_dict() == FIXTURE_SPANS[1].to_dict()
    # The client's info arrives after the spans: its values win, the spans stay.
    store.start_trace(TraceInfo(trace_id=FIXTURE_TRACE_ID, experiment_id="0", request_time=derived.request_time,
                                      execution_duration=99, tags={"mlflow.traceName": "predict", "c": "1"},
                                      trace_metadata={"mlflow.user": "me"}))
    merged = store.get_trace(FIXTURE_TRACE_ID)
    assert merged.info.execution_duration == 99 and merged.info.tags["c"] == "1"
    assert merged.info.trace_metadata["mlflow.user"] == "me"
    assert "mlflow.trace.tokenUsage" in merged.info.trace_metadata
    assert len(merged.spans) == 2
    # Spans logged again replace themselves rather than duplicate.
    store.log_spans("0", FIXTURE_SPANS[:1])
    assert len(store.get_trace(FIXTURE_TRACE_ID).spans) == 2


def test_trace_without_span_data_has_no_spans(store):
    _start(store, 3)
    assert store.get_spans(_trace_id(3)) is None
    assert store.get_trace(_trace_id(3)).spans == []


def test_batch_get(store):
    _start(store, 1)
    _start(store, 2)
    infos = store.batch_get_trace_infos([_trace_id(2), _trace_id(9), _trace_id(1)])
    assert [i.trace_id for i in infos] == [_trace_id(2), _trace_id(1)]
    assert [t.info.trace_id for t in store.batch_get_traces([_trace_id(1)])] == [_trace_id(1)]


def test_tags(store):
    _start(store, 1)
    store.set_trace_tag(_trace_id(1), "env", "prod")
    store.set_trace_tag(_trace_id(1), "env", "dev")
    store.set_trace_tag(_trace_id(1), "a/b", "nested")
    tags = store.get_trace_info(_trace_id(1)).tags
    assert tags["env"] == "dev" and tags["a/b"] == "nested"
    store.delete_trace_tag(_trace_id(1), "env")
    assert "env" not in store.get_trace_info(_trace_id(1)).tags
    with pytest.raises(NotFound):
        store.delete_trace_tag(_trace_id(1), "env")
    with pytest.raises(NotFound):
        store.set_trace_tag(_trace_id(7), "env", "x")
    with pytest.raises(InvalidParameter):
        store.set_trace_tag(_trace_id(1), "../x", "y")


def test_delete_by_ids_and_by_timestamp(store):
    for n in range(1, 7):
        _start(store, n, request_time=n * 100)
    assert store.delete_traces("0", trace_ids=[_trace_id(1), _trace_id(99)]) == 1
    assert store.delete_traces("0", max_timestamp_millis=500, max_traces=2) == 2  # oldest first: 2, 3
    left = sorted(i.trace_id for i in store.search_traces(["0"]))
    assert left == [_trace_id(4), _trace_id(5), _trace_id(6)]
    assert store.delete_traces("0", max_timestamp_millis=550) == 2
    with pytest.raises(NotFound):
        store.get_trace_info(_trace_id(4))


@pytest.mark.parametrize("arguments, fragment", [
    ({}, "Either max_timestamp_millis or trace_ids"),
    ({"max_timestamp_millis": 1, "trace_ids": ["tr-1"]}, "Only one of"),
    ({"trace_ids": ["tr-1"], "max_traces": 1}, "max_traces can't be specified"),
    ({"max_timestamp_millis": 1, "max_traces": 0}, "must be positive"),
])
def test_delete_argument_rules(store, arguments, fragment):
    with pytest.raises(InvalidParameter, match=fragment):
        store.delete_traces("0", **arguments)


def test_link_traces_to_run(store):
    run_id = store.create_run("0").info.run_id
    _start(store, 1)
    _start(store, 2)
    store.link_traces_to_run([_trace_id(1)], run_id)
    store.link_traces_to_run([_trace_id(1)], run_id)  # idempotent
    assert [i.trace_id for i in store.search_traces(["0"], f"run_id = '{run_id}'")] == [_trace_id(1)]
    with pytest.raises(InvalidParameter, match="Cannot link more than 100 traces"):
        store.link_traces_to_run([_trace_id(n) for n in range(101)], run_id)
    with pytest.raises(NotFound):
        store.link_traces_to_run([_trace_id(1)], "f" * 32)
    with pytest.raises(NotFound):
        store.link_traces_to_run([_trace_id(77)], run_id)


def test_assessment_lifecycle(store):
    _start(store, 1)
    trace_id = _trace_id(1)
    feedback = store.create_assessment(Assessment(
        name="quality", kind=FEEDBACK, value=0.5, trace_id=trace_id, source=AssessmentSource("HUMAN", "ann"),
        rationale="ok", metadata={"k": "v"}, span_id="abc"))
    assert feedback.assessment_id.startswith("a-") and feedback.valid is True
    expectation = store.create_assessment(Assessment(name="expected", kind=EXPECTATION,
                                                           value={"answer": [1, 2]}, trace_id=trace_id))
    fetched = store.get_assessment(trace_id, feedback.assessment_id)
    assert fetched.value == 0.5 and fetched.source.source_id == "ann" and fetched.span_id == "abc"
    assert store.get_assessment(trace_id, expectation.assessment_id).value == {"answer": [1, 2]}
    info = store.get_trace_info(trace_id)
    assert sorted(a.name for a in info.assessments) == ["expected", "quality"]

    updated = store.update_assessment(trace_id, feedback.assessment_id, value={"score": [1, {"a": None}]},
                                            rationale="better", metadata={"k2": "v2"})
    assert updated.value == {"score": [1, {"a": None}]} and updated.rationale == "better"
    assert updated.metadata == {"k": "v", "k2": "v2"} and updated.source.source_id == "ann"
    assert updated.last_update_time_ms >= feedback.last_update_time_ms
    assert store.get_assessment(trace_id, feedback.assessment_id).value == {"score": [1, {"a": None}]}
    assert store.update_assessment(trace_id, feedback.assessment_id, name="renamed").name == "renamed"
    assert store.get_assessment(trace_id, feedback.assessment_id).name == "renamed"
    store.update_assessment(trace_id, feedback.assessment_id, name="quality")
    with pytest.raises(InvalidParameter, match="cannot be empty"):
        store.update_assessment(trace_id, feedback.assessment_id, name=" ")

    override = store.create_assessment(Assessment(name="quality", kind=FEEDBACK, value=1.0, trace_id=trace_id,
                                                        overrides=feedback.assessment_id))
    assert store.get_assessment(trace_id, feedback.assessment_id).valid is False
    store.delete_assessment(trace_id, override.assessment_id)
    assert store.get_assessment(trace_id, feedback.assessment_id).valid is True
    store.delete_assessment(trace_id, override.assessment_id)  # already gone: fine
    with pytest.raises(NotFound):
        store.get_assessment(trace_id, override.assessment_id)
    with pytest.raises(NotFound):
        store.create_assessment(Assessment(name="q", kind=FEEDBACK, value=1, trace_id=_trace_id(5)))


def test_scorer_versions(store):
    experiment_id = store.create_experiment("judges")
    first = store.register_scorer(experiment_id, "quality", json.dumps({"name": "quality", "v": 1}))
    second = store.register_scorer(experiment_id, "quality", json.dumps({"name": "quality", "v": 2}))
    other = store.register_scorer(experiment_id, "brevity", json.dumps({"name": "brevity"}))
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.scorer_id == second.scorer_id != other.scorer_id
    assert [(s.name, s.version) for s in store.list_scorers(experiment_id)] == [("brevity", 1), ("quality", 2)]
    assert store.get_scorer(experiment_id, "quality", 1).definition == {"name": "quality", "v": 1}
    assert store.get_scorer(experiment_id, "quality").version == 2
    store.delete_scorer(experiment_id, "quality", 2)
    assert store.get_scorer(experiment_id, "quality").version == 1
    store.delete_scorer(experiment_id, "quality")
    with pytest.raises(NotFound):
        store.get_scorer(experiment_id, "quality")
    assert store.list_scorers("0") == []
    with pytest.raises(InvalidParameter):
        store.register_scorer(experiment_id, "../x", "{}")
    with pytest.raises(InvalidParameter):
        store.register_scorer(experiment_id, "x", "not json")


@pytest.mark.not_on("rest", reason="the REST API has no permanent deletion")
def test_traces_of_a_hard_deleted_experiment_go_with_it(store):
    experiment_id = store.create_experiment("temp")
    _start(store, 1, experiment_id=experiment_id)
    store.delete_experiment(experiment_id)
    assert store.get_trace_info(_trace_id(1)).experiment_id == experiment_id  # still readable while deleted
    store.hard_delete_experiment(experiment_id)
    with pytest.raises(NotFound):
        store.get_trace_info(_trace_id(1))


def test_tag_keys_that_look_like_temp_files_are_kept(store):
    """Regression: the file store's key/value reader skipped '.tmp-' keys (its old temp prefix)."""
    _start(store, 1)
    store.set_trace_tag(_trace_id(1), ".tmp-a", "1")
    assert store.get_trace_info(_trace_id(1)).tags[".tmp-a"] == "1"
