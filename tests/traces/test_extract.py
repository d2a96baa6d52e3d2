"""--extract-fields paths: dots, '*', backticks, list indexes, several paths, and invalid paths."""

import pytest

from runtime.errors import UsageError
from runtime.tracing.extract import extract_values, filter_fields, split_fields, split_path, validate_fields

TRACE = {
    "info": {
        "trace_id": "tr-1",
        "state": "OK",
        "tags": {"mlflow.traceName": "predict", "env": "prod"},
        "trace_metadata": {"mlflow.traceInputs": "{}", "a,b": "comma"},
        "assessments": [
            {"assessment_id": "a-1", "feedback": {"value": 1}, "source": {"source_type": "HUMAN"}},
            {"assessment_id": "a-2", "expectation": {"value": "x"}, "source": {"source_type": "CODE"}},
        ],
    },
    "data": {"spans": [{"name": "root", "attributes": {"mlflow.spanType": '"CHAIN"'}, "events": []},
                       {"name": "child", "attributes": {"mlflow.spanType": '"LLM"'},
                        "events": [{"name": "ev", "attributes": {"k": 1}}]}]},
}


def test_split_path_keeps_backticked_dots():
    assert split_path("info.tags.`mlflow.traceName`") == ["info", "tags", "mlflow.traceName"]
    assert split_path("data.spans.*.attributes.`mlflow.spanType`") == [
        "data", "spans", "*", "attributes", "mlflow.spanType"]


def test_split_fields_ignores_commas_in_backticks():
    assert split_fields("info.trace_id, info.trace_metadata.`a,b` ,") == [
        "info.trace_id", "info.trace_metadata.`a,b`"]


@pytest.mark.parametrize("path, values", [
    ("info.trace_id", ["tr-1"]),
    ("info.tags.`mlflow.traceName`", ["predict"]),
    ("info.tags.*", ["predict", "prod"]),
    ("info.assessments.*.assessment_id", ["a-1", "a-2"]),
    ("info.assessments.*.feedback.value", [1]),
    ("info.assessments.1.source.source_type", ["CODE"]),
    ("data.spans.*.name", ["root", "child"]),
    ("data.spans.*.events.*.name", ["ev"]),
    ("data.spans.*.attributes.`mlflow.spanType`", ['"CHAIN"', '"LLM"']),
    ("info.missing", []),
    ("info.trace_id.deeper", []),
])
def test_extract_values(path, values):
    assert extract_values(TRACE, path) == values


def test_filter_keeps_structure():
    picked = filter_fields(TRACE, ["info.trace_id", "info.tags.`mlflow.traceName`", "data.spans.*.name",
                                   "info.assessments.*.source.source_type"])
    assert picked == {
        "info": {"trace_id": "tr-1", "tags": {"mlflow.traceName": "predict"},
                 "assessments": [{"source": {"source_type": "HUMAN"}}, {"source": {"source_type": "CODE"}}]},
        "data": {"spans": [{"name": "root"}, {"name": "child"}]},
    }


def test_filter_with_index_and_whole_subtree():
    assert filter_fields(TRACE, ["data.spans.1.events"]) == {
        "data": {"spans": [{"events": [{"name": "ev", "attributes": {"k": 1}}]}]}}
    assert filter_fields(TRACE, ["info.assessments.*"])["info"]["assessments"] == TRACE["info"]["assessments"]


def test_invalid_paths_are_named():
    with pytest.raises(UsageError) as caught:
        validate_fields(["info.trace_id", "info.nope", "data.spans.*.zzz"], TRACE)
    assert "info.nope" in caught.value.message
    assert "info.trace_id," not in caught.value.message.split("Available")[0]
    assert "info.tags.`mlflow.traceName`" in caught.value.message


def test_unterminated_backtick():
    with pytest.raises(UsageError, match="unterminated backtick"):
        split_path("info.tags.`mlflow")
