"""The REST trace store against mlf's server and against a real `mlflow server` 3.17.2: the same calls work on both."""

import json
import uuid
from pathlib import Path

import pytest

from runtime.errors import InvalidParameter, NotFound
from runtime.tracing.entities import EXPECTATION, FEEDBACK, Assessment, AssessmentSource, Span, TraceInfo
from runtime.tracing.otlp import spans_from_export_request
from runtime.tracing.scorers import serialize_judge
from tests.rest_store.conftest import mlflow_server  # noqa: F401 - the real mlflow server fixture

FIXTURE = (Path(__file__).parent / "fixtures" / "otlp_export_request.bin").read_bytes()


@pytest.fixture(scope="module")
def mlf_server(tmp_path_factory):
    from runtime.server.config import ServerConfig
    from tests.rest_store.threaded_server import ThreadedServer

    tmp_path = tmp_path_factory.mktemp("mlf-server")
    config = ServerConfig(backend_store_uri=f"sqlite:///{tmp_path / 'mlf.db'}", artifacts_destination=str(tmp_path))
    with ThreadedServer(config) as server:
        yield server


@pytest.fixture(params=["mlf", "mlflow"])
def rest(request):
    from runtime.store.rest.store import RestStore

    server = request.getfixturevalue("mlf_server" if request.param == "mlf" else "mlflow_server")
    store = RestStore(server.url, environ={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    store.experiment_id = store.create_experiment(f"rest-traces-{uuid.uuid4().hex[:8]}")
    yield store
    store.close()


def _fixture_spans(experiment_trace_suffix):
    """The fixture's spans under a fresh trace id (each test logs its own trace)."""
    spans = [Span.from_proto_json(s) for s in spans_from_export_request(FIXTURE)]
    new_trace = uuid.uuid4().bytes
    import base64

    otel_id = base64.b64encode(new_trace).decode()
    trace_id = "tr-" + new_trace.hex()
    for span in spans:
        span.trace_id = otel_id
        span.set_attribute("mlflow.traceRequestId", trace_id)
    return trace_id, spans


def _log(rest, **info_fields):
    trace_id, spans = _fixture_spans(rest.experiment_id)
    rest.log_spans(rest.experiment_id, spans)
    info = TraceInfo(trace_id=trace_id, experiment_id=rest.experiment_id, request_time=1_700_000_000_000,
                     execution_duration=58, request_preview='{"x": 21}', response_preview="42",
                     tags={"mlflow.traceName": "predict", **info_fields.pop("tags", {})}, **info_fields)
    return rest.start_trace(info)


def test_log_get_and_search(rest):
    info = _log(rest, tags={"env": "prod"})
    assert info.tags["mlflow.artifactLocation"].endswith(f"/traces/{info.trace_id}/artifacts")
    trace = rest.get_trace(info.trace_id)
    assert [s.name for s in trace.spans] == ["predict", "inner"]
    assert trace.spans[1].inputs == {"x": 21, "l": [1, 2.5, True, None, "s"]}
    assert trace.info.tags["env"] == "prod" and trace.info.execution_duration == 58
    found = rest.search_traces([rest.experiment_id], filter_string="tags.env = 'prod'", order_by=["timestamp_ms DESC"])
    assert [i.trace_id for i in found] == [info.trace_id]
    assert [i.trace_id for i in rest.batch_get_trace_infos([info.trace_id])] == [info.trace_id]
    other = _log(rest)
    batch = rest.batch_get_traces([other.trace_id, "tr-" + "0" * 32, info.trace_id])
    assert [t.info.trace_id for t in batch] == [other.trace_id, info.trace_id]
    assert all([s.name for s in t.spans] == ["predict", "inner"] for t in batch)
    with pytest.raises(NotFound):
        rest.get_trace_info("tr-" + "0" * 32)
    with pytest.raises(InvalidParameter):
        rest.search_traces([rest.experiment_id], filter_string="status = OK")


def test_search_pages_beyond_the_server_limit(rest, monkeypatch):
    import runtime.store.rest.traces as traces_rest

    monkeypatch.setattr(traces_rest, "SEARCH_PAGE_LIMIT", 2)  # as if the server took 2 per request
    ids = {_log(rest).trace_id for _ in range(5)}
    first = rest.search_traces([rest.experiment_id], max_results=3)
    assert len(first) == 3 and first.token
    rest_of_them = rest.search_traces([rest.experiment_id], max_results=10, page_token=first.token)
    assert {i.trace_id for i in first} | {i.trace_id for i in rest_of_them} == ids and rest_of_them.token is None


def test_tags_assessments_links_and_deletion(rest):
    info = _log(rest)
    rest.set_trace_tag(info.trace_id, "reviewed", "yes")
    rest.delete_trace_tag(info.trace_id, "reviewed")
    assert "reviewed" not in rest.get_trace_info(info.trace_id).tags
    feedback = rest.create_assessment(Assessment(name="quality", kind=FEEDBACK, value=0.5, trace_id=info.trace_id,
                                                 source=AssessmentSource("HUMAN", "me"), rationale="ok"))
    expectation = rest.create_assessment(Assessment(name="expected", kind=EXPECTATION, value={"y": 42},
                                                    trace_id=info.trace_id, source=AssessmentSource("HUMAN", "me")))
    assert rest.get_assessment(info.trace_id, expectation.assessment_id).value == {"y": 42}
    updated = rest.update_assessment(info.trace_id, feedback.assessment_id, value=0.9, rationale="better")
    assert (updated.value, updated.rationale) == (0.9, "better")
    assert rest.get_assessment(info.trace_id, feedback.assessment_id).value == 0.9
    rest.delete_assessment(info.trace_id, feedback.assessment_id)
    with pytest.raises(NotFound):
        rest.get_assessment(info.trace_id, feedback.assessment_id)
    run_id = rest.create_run(rest.experiment_id).info.run_id
    rest.link_traces_to_run([info.trace_id], run_id)
    assert [i.trace_id for i in rest.search_traces([rest.experiment_id], f"run_id = '{run_id}'")] == [info.trace_id]
    assert rest.delete_traces(rest.experiment_id, trace_ids=[info.trace_id]) == 1
    with pytest.raises(NotFound):
        rest.get_trace_info(info.trace_id)


def test_scorers(rest):
    judge = serialize_judge("quality", "Is {{ outputs }} good?", "openai:/gpt-4o-mini", "checks quality")
    assert rest.register_scorer(rest.experiment_id, "quality", judge).version == 1
    assert rest.register_scorer(rest.experiment_id, "quality", judge).version == 2
    (latest,) = rest.list_scorers(rest.experiment_id)
    assert latest.name == "quality" and latest.version == 2
    assert json.loads(latest.serialized_scorer)["instructions_judge_pydantic_data"]["model"] == "openai:/gpt-4o-mini"
    assert [v.version for v in rest.list_scorer_versions(rest.experiment_id, "quality")] == [1, 2]
    assert rest.get_scorer(rest.experiment_id, "quality", 1).version == 1
    rest.delete_scorer(rest.experiment_id, "quality")
    assert rest.list_scorers(rest.experiment_id) == []
