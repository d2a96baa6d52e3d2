"""`mlf traces|scorers|runs link-traces` as users run them, on a file store and on SQLite."""

import json
from pathlib import Path

import pytest

from runtime.tracing.entities import Span, TraceInfo
from runtime.tracing.otlp import spans_from_export_request
from tests.cli.helpers import mlf

FIXTURE_SPANS = [Span.from_proto_json(s) for s in spans_from_export_request(
    (Path(__file__).parent / "fixtures" / "otlp_export_request.bin").read_bytes())]
TRACE_ID = FIXTURE_SPANS[0].request_id


def _seeded_uri(kind, tmp_path):
    from runtime.store.factory import get_tracking_store

    uri = str(tmp_path / "mlruns") if kind == "file" else f"sqlite:///{tmp_path / 'mlf.db'}"
    store = get_tracking_store(uri, str(tmp_path / "artifacts"))
    store.log_spans("0", FIXTURE_SPANS)
    for n in range(1, 4):
        store.start_trace(TraceInfo(trace_id=f"tr-{n:032x}", experiment_id="0", request_time=1000 * n,
                                    execution_duration=1500 * n, state="ERROR" if n == 2 else "OK",
                                    request_preview="a long request preview text " * 3,
                                    tags={"mlflow.traceName": f"job{n}", "env": "prod" if n != 3 else "dev"}))
    store.close()
    return uri


@pytest.fixture
def uri(tmp_path):
    """The file store (the default); the store contract itself is tested on every backend elsewhere."""
    return _seeded_uri("file", tmp_path)


@pytest.fixture(params=["file", "sqlite"])
def any_uri(request, tmp_path):
    return _seeded_uri(request.param, tmp_path)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_search_table_and_json(any_uri):
    uri = any_uri
    table = ok(mlf("traces", "search", "-x", "0", tracking_uri=uri)).splitlines()
    assert table[0].split() == ["info.trace_id", "info.request_time", "info.state", "info.execution_duration_ms",
                                "info.request_preview", "info.response_preview"]
    assert table[2].startswith(TRACE_ID) and " UTC " in table[2]
    row = next(line for line in table if line.startswith(f"tr-{3:032x}"))
    assert "4.5s" in row and "a long request pr..." in row and "N/A" in row
    data = json.loads(ok(mlf("traces", "search", "-x", "0", "--output", "json", "--filter-string",
                             "status = 'OK' AND timestamp_ms != 3000", "--order-by", "timestamp_ms ASC",
                             tracking_uri=uri)))
    assert [t["info"]["trace_id"] for t in data["traces"]] == [f"tr-{1:032x}", TRACE_ID]
    assert data["next_page_token"] is None
    assert [s["name"] for s in data["traces"][1]["data"]["spans"]] == ["predict", "inner"]
    no_spans = json.loads(ok(mlf("traces", "search", "-x", "0", "--output", "json", "--no-include-spans",
                                 "--max-results", "1", tracking_uri=uri)))
    assert no_spans["traces"][0]["data"]["spans"] == [] and no_spans["next_page_token"]
    page2 = json.loads(ok(mlf("traces", "search", "-x", "0", "--output", "json", "--max-results", "1",
                              "--page-token", no_spans["next_page_token"], tracking_uri=uri)))
    assert page2["traces"][0]["info"]["trace_id"] != no_spans["traces"][0]["info"]["trace_id"]


def test_search_extract_fields_and_env_experiment(uri):
    picked = json.loads(ok(mlf("traces", "search", "--output", "json", "--extract-fields",
                               "info.trace_id,info.tags.`mlflow.traceName`", "--filter-string", "name = 'job2'",
                               tracking_uri=uri, env={"MLFLOW_EXPERIMENT_ID": "0"})))
    assert picked["traces"] == [{"info": {"trace_id": f"tr-{2:032x}", "tags": {"mlflow.traceName": "job2"}}}]
    table = ok(mlf("traces", "search", "-x", "0", "--extract-fields", "info.trace_id,data.spans.*.name",
                   "--filter-string", f"trace_id = '{TRACE_ID}'", tracking_uri=uri))
    assert "predict, inner" in table
    bad = mlf("traces", "search", "-x", "0", "--extract-fields", "info.nope", tracking_uri=uri)
    assert bad.returncode == 2 and "info.nope" in bad.stderr


def test_malformed_filter_names_the_position(uri):
    result = mlf("traces", "search", "-x", "0", "--filter-string", "status = 'OK' AND timestamp_ms > soon",
                 tracking_uri=uri)
    assert result.returncode == 1
    assert "at position 34" in result.stderr and "expected a number" in result.stderr


def test_get_with_and_without_fields(uri):
    whole = json.loads(ok(mlf("traces", "get", "--trace-id", TRACE_ID, tracking_uri=uri)))
    assert whole["info"]["trace_id"] == TRACE_ID and len(whole["data"]["spans"]) == 2
    assert whole["info"]["execution_duration_ms"] == 58
    part = json.loads(ok(mlf("traces", "get", "--trace-id", TRACE_ID, "--extract-fields",
                             "info.state,data.spans.*.attributes.`mlflow.spanType`", tracking_uri=uri)))
    assert part == {"info": {"state": "OK"},
                    "data": {"spans": [{"attributes": {"mlflow.spanType": '"CHAIN"'}},
                                       {"attributes": {"mlflow.spanType": '"LLM"'}}]}}
    missing = mlf("traces", "get", "--trace-id", "tr-" + "e" * 32, tracking_uri=uri)
    assert missing.returncode == 1 and "not found" in missing.stderr


def test_tags_and_assessments(any_uri):
    uri = any_uri
    assert "Set tag 'reviewed'" in ok(mlf("traces", "set-tag", "--trace-id", TRACE_ID, "--key", "reviewed",
                                          "--value", "yes", tracking_uri=uri))
    out = ok(mlf("traces", "log-feedback", "--trace-id", TRACE_ID, "--name", "relevance", "--value", "0.9",
                 "--source-type", "HUMAN", "--source-id", "me@example.com", "--rationale", "on topic",
                 "--metadata", '{"round": 1}', tracking_uri=uri))
    feedback_id = out.strip().rsplit(" ", 1)[-1]
    out = ok(mlf("traces", "log-expectation", "--trace-id", TRACE_ID, "--name", "expected", "--value",
                 '{"y": 42}', tracking_uri=uri))
    expectation_id = out.strip().rsplit(" ", 1)[-1]
    shown = json.loads(ok(mlf("traces", "get-assessment", "--trace-id", TRACE_ID, "--assessment-id", feedback_id,
                              tracking_uri=uri)))
    assert shown["feedback"] == {"value": 0.9} and shown["source"] == {"source_type": "HUMAN",
                                                                      "source_id": "me@example.com"}
    assert shown["metadata"] == {"round": "1"} and shown["rationale"] == "on topic"
    ok(mlf("traces", "update-assessment", "--trace-id", TRACE_ID, "--assessment-id", feedback_id, "--value", "0.5",
           "--rationale", "re-checked", tracking_uri=uri))
    whole = json.loads(ok(mlf("traces", "get", "--trace-id", TRACE_ID, "--extract-fields",
                              "info.assessments.*.assessment_name,info.assessments.*.feedback.value,info.tags.reviewed",
                              tracking_uri=uri)))
    assert whole["info"]["tags"] == {"reviewed": "yes"}
    assert {"assessment_name": "relevance", "feedback": {"value": 0.5}} in whole["info"]["assessments"]
    expectation = json.loads(ok(mlf("traces", "get-assessment", "--trace-id", TRACE_ID, "--assessment-id",
                                    expectation_id, tracking_uri=uri)))
    assert expectation["source"]["source_type"] == "HUMAN"
    nothing = mlf("traces", "update-assessment", "--trace-id", TRACE_ID, "--assessment-id", feedback_id,
                  tracking_uri=uri)
    assert nothing.returncode == 2 and "Nothing to update" in nothing.stderr
    no_rationale = mlf("traces", "update-assessment", "--trace-id", TRACE_ID, "--assessment-id", expectation_id,
                       "--rationale", "x", tracking_uri=uri)
    assert no_rationale.returncode == 1 and "expectations cannot" in no_rationale.stderr
    ok(mlf("traces", "delete-assessment", "--trace-id", TRACE_ID, "--assessment-id", feedback_id, tracking_uri=uri))
    gone = mlf("traces", "get-assessment", "--trace-id", TRACE_ID, "--assessment-id", feedback_id, tracking_uri=uri)
    assert gone.returncode == 1 and "not found" in gone.stderr
    ok(mlf("traces", "delete-tag", "--trace-id", TRACE_ID, "--key", "reviewed", tracking_uri=uri))
    again = mlf("traces", "delete-tag", "--trace-id", TRACE_ID, "--key", "reviewed", tracking_uri=uri)
    assert again.returncode == 1 and "No tag" in again.stderr


def test_delete_rules(uri):
    both = mlf("traces", "delete", "-x", "0", "--trace-ids", TRACE_ID, "--max-timestamp-millis", "5",
               tracking_uri=uri)
    assert both.returncode == 1 and "Only one of" in both.stderr
    assert ok(mlf("traces", "delete", "-x", "0", "--max-timestamp-millis", "2500", "--max-traces", "1",
                  tracking_uri=uri)).strip() == "Deleted 1 trace(s) from experiment 0."
    assert ok(mlf("traces", "delete", "-x", "0", "--trace-ids", f"{TRACE_ID}, tr-{2:032x}",
                  tracking_uri=uri)).strip() == "Deleted 2 trace(s) from experiment 0."
    left = json.loads(ok(mlf("traces", "search", "-x", "0", "--output", "json", tracking_uri=uri)))
    assert [t["info"]["trace_id"] for t in left["traces"]] == [f"tr-{3:032x}"]


def test_link_traces(uri):
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(uri)
    run_id = store.create_run("0").info.run_id
    store.close()
    assert ok(mlf("runs", "link-traces", "--run-id", run_id, "-t", f"tr-{1:032x}", "--trace-id", f"tr-{3:032x}",
                  tracking_uri=uri)).strip() == f"Successfully linked 2 trace(s) to run '{run_id}'"
    found = json.loads(ok(mlf("traces", "search", "-x", "0", "--run-id", run_id, "--output", "json",
                              "--extract-fields", "info.trace_id", tracking_uri=uri)))
    assert sorted(t["info"]["trace_id"] for t in found["traces"]) == [f"tr-{1:032x}", f"tr-{3:032x}"]
    many = [arg for n in range(101) for arg in ("-t", f"tr-{n:032x}")]
    too_many = mlf("runs", "link-traces", "--run-id", run_id, *many, tracking_uri=uri)
    assert too_many.returncode == 1 and "Cannot link more than 100 traces" in too_many.stderr


def test_evaluate_offline_scorers_and_registered_judges(uri):
    table = ok(mlf("traces", "evaluate", "-x", "0", "--trace-ids", TRACE_ID, "--scorers",
                   "response_length(max_length=5),PIIDetection,regex_match(pattern='^4')", tracking_uri=uri))
    lines = table.strip().splitlines()
    assert lines[0].split() == ["trace_id", "response_length", "pii_detection", "regex_match"]
    assert lines[2].split() == [TRACE_ID, "yes", "yes", "yes"]
    logged = json.loads(ok(mlf("traces", "get", "--trace-id", TRACE_ID, "--extract-fields", "info.assessments.*",
                               tracking_uri=uri)))["info"]["assessments"]
    assert {a["assessment_name"] for a in logged} == {"response_length", "pii_detection", "regex_match"}
    assert all(a["source"]["source_type"] == "CODE" for a in logged)
    as_json = json.loads(ok(mlf("traces", "evaluate", "-x", "0", "--trace-ids", f"{TRACE_ID},tr-{1:032x}",
                                "--scorers", "response_length(min_length=10)", "--output", "json", tracking_uri=uri)))
    assert [r["assessments"][0]["result"] for r in as_json] == ["no", "no"]
    needs_args = mlf("traces", "evaluate", "-x", "0", "--trace-ids", TRACE_ID, "--scorers", "regex_match",
                     tracking_uri=uri)
    assert needs_args.returncode == 2 and "pattern" in needs_args.stderr
    unknown = mlf("traces", "evaluate", "-x", "0", "--trace-ids", TRACE_ID, "--scorers", "nope", tracking_uri=uri)
    assert unknown.returncode == 2 and "Unknown scorer 'nope'" in unknown.stderr
    wrong_experiment = mlf("traces", "evaluate", "-x", "5", "--trace-ids", TRACE_ID, "--scorers", "pii_detection",
                           tracking_uri=uri)
    assert wrong_experiment.returncode == 2 and "belongs to experiment '0'" in wrong_experiment.stderr
    # An LLM judge without credentials stops with what to set.
    ok(mlf("scorers", "register-llm-judge", "-n", "quality", "-i", "Does {{ outputs }} answer {{ inputs }}?",
           "-m", "openai:/gpt-4o-mini", "-x", "0", "-d", "answers the question", tracking_uri=uri))
    judge = mlf("traces", "evaluate", "-x", "0", "--trace-ids", TRACE_ID, "--scorers", "quality", tracking_uri=uri,
                env={"OPENAI_API_KEY": ""})
    assert judge.returncode == 1 and "OPENAI_API_KEY" in judge.stderr


def test_scorers_list_and_register(uri):
    builtin = json.loads(ok(mlf("scorers", "list", "--builtin", "--output", "json")))["scorers"]
    by_name = {s["name"]: s for s in builtin}
    assert by_name["regex_match"]["required_args"] == ["pattern"] and by_name["regex_match"]["offline"]
    assert not by_name["correctness"]["offline"] and by_name["user_frustration"]["session_level"]
    assert "Scorer Name" in ok(mlf("scorers", "list", "-b"))
    for instructions in ("Is {{ outputs }} polite?", "Is {{outputs}} polite and does it use {{ trace }}?"):
        ok(mlf("scorers", "register-llm-judge", "-n", "polite", "-i", instructions, "-x", "0", tracking_uri=uri))
    listed = json.loads(ok(mlf("scorers", "list", "-x", "0", "--output", "json", tracking_uri=uri)))
    assert listed == {"scorers": [{"name": "polite", "version": 2, "description": None}]}
    bad = mlf("scorers", "register-llm-judge", "-n", "x", "-i", "no variables here", "-x", "0", tracking_uri=uri)
    assert bad.returncode == 1 and "at least one variable" in bad.stderr
    unknown_variable = mlf("scorers", "register-llm-judge", "-n", "x", "-i", "{{ output }}", "-x", "0",
                           tracking_uri=uri)
    assert unknown_variable.returncode == 1 and "{{ output }}" in unknown_variable.stderr
    no_experiment = mlf("scorers", "list", tracking_uri=uri)
    assert no_experiment.returncode == 2 and "--builtin" in no_experiment.stderr


def test_sql_warehouse_id_is_refused_clearly(uri):
    result = mlf("traces", "search", "-x", "0", "--sql-warehouse-id", "abc", tracking_uri=uri)
    assert result.returncode == 1 and "Databricks" in result.stderr
