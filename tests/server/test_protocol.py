"""Request parsing and response encoding of runtime.wire.protocol, as MLflow's protobuf JSON does it."""

import json
import math

import pytest

from runtime.errors import InvalidParameter
from runtime.wire import protocol
from tests.server.conftest import api


def test_proto_and_camel_case_names_are_both_accepted():
    snake = protocol.parse_message("mlflow.CreateRun", {"experiment_id": "1", "run_name": "r", "start_time": 5})
    camel = protocol.parse_message("mlflow.CreateRun", {"experimentId": "1", "runName": "r", "startTime": 5})
    assert snake == camel == {"experiment_id": "1", "run_name": "r", "start_time": 5}


def test_both_spellings_of_one_field_are_refused():
    with pytest.raises(InvalidParameter, match="more than once"):
        protocol.parse_message("mlflow.CreateRun", {"experiment_id": "1", "experimentId": "2"})


def test_unknown_fields_are_ignored_and_defaults_filled():
    parsed = protocol.parse_message("mlflow.SearchRuns", {"experiment_ids": ["1"], "surprise": {"x": 1}})
    assert parsed == {"experiment_ids": ["1"], "run_view_type": "ACTIVE_ONLY", "max_results": 1000}


def test_int64_may_come_as_string_and_doubles_as_protobuf_special_values():
    parsed = protocol.parse_message(
        "mlflow.LogMetric", {"run_id": "r", "key": "k", "value": "NaN", "timestamp": "123", "step": "4"}
    )
    assert parsed["timestamp"] == 123 and parsed["step"] == 4 and math.isnan(parsed["value"])
    assert protocol.parse_message("mlflow.LogMetric", {"key": "k", "value": "-Infinity", "timestamp": 1})["value"] == -math.inf


@pytest.mark.parametrize("body, field", [
    ({"key": "k", "value": "abc", "timestamp": 1}, "value"),
    ({"key": "k", "value": 1.0, "timestamp": "soon"}, "timestamp"),
    ({"key": "k", "value": 1.0, "timestamp": True}, "timestamp"),
    ({"key": 5, "value": 1.0, "timestamp": 1}, "key"),
])
def test_wrong_types_are_invalid_parameter_naming_the_field(body, field):
    with pytest.raises(InvalidParameter, match=field):
        protocol.parse_message("mlflow.LogMetric", body)


def test_required_fields_are_enforced_with_mlflows_message():
    with pytest.raises(InvalidParameter, match="Missing value for required parameter 'metric_key'"):
        protocol.parse_message("mlflow.GetMetricHistory", {"run_id": "r"})


def test_enums_by_name_or_number_and_bad_names_refused():
    assert protocol.parse_message("mlflow.SearchRuns", {"run_view_type": 3})["run_view_type"] == "ALL"
    assert protocol.parse_message("mlflow.UpdateRun", {"status": "FAILED"})["status"] == "FAILED"
    with pytest.raises(InvalidParameter, match="RUNNING"):
        protocol.parse_message("mlflow.UpdateRun", {"status": "EXPLODED"})


def test_nested_messages_are_parsed_with_their_own_schema():
    parsed = protocol.parse_message("mlflow.LogBatch", {
        "runId": "r", "metrics": [{"key": "m", "value": 1, "timestamp": "7"}], "tags": [{"key": "t", "value": "v"}],
    })
    assert parsed["metrics"] == [{"key": "m", "value": 1.0, "timestamp": 7, "step": 0}]
    with pytest.raises(InvalidParameter, match="array"):
        protocol.parse_message("mlflow.LogBatch", {"run_id": "r", "metrics": {"key": "m"}})


def test_query_strings_repeat_keys_for_repeated_fields_and_bools_are_true_false(sqlite_client):
    # Repeated run_ids through the real route: both runs answer.
    from tests.server.conftest import create_run

    _, first = create_run(sqlite_client, "a")
    _, second = create_run(sqlite_client, "b")
    for run_id in (first, second):
        sqlite_client.post(api("/runs/log-metric"), json={"run_id": run_id, "key": "m", "value": 1, "timestamp": 1})
    response = sqlite_client.get(
        api("/metrics/get-history-bulk-interval") + f"?run_ids={first}&run_ids={second}&metric_key=m"
    )
    assert response.status_code == 200, response.text
    assert sorted(m["run_id"] for m in response.json()["metrics"]) == sorted([first, second])
    assert protocol._convert_bool("true", "flag", True) is True
    assert protocol._convert_bool("false", "flag", True) is False
    # The mlflow client's requests spells query bools the Python way.
    assert protocol._convert_bool("True", "flag", True) is True
    assert protocol._convert_bool("False", "flag", True) is False
    with pytest.raises(InvalidParameter):
        protocol._convert_bool("TRUE", "flag", True)
    with pytest.raises(InvalidParameter):
        protocol._convert_bool("yes", "flag", True)
    with pytest.raises(InvalidParameter):
        protocol._convert_bool("true", "flag", False)  # a JSON body needs a real boolean


def test_responses_encode_non_finite_doubles_as_protobuf_strings():
    text = protocol.dumps({"metrics": [{"value": float("nan")}, {"value": float("inf")}, {"value": -float("inf")}]})
    assert json.loads(text) == {"metrics": [{"value": "NaN"}, {"value": "Infinity"}, {"value": "-Infinity"}]}
    assert protocol.dumps({"a": 1, "b": [2.5]}) == '{"a":1,"b":[2.5]}'


def test_every_rpc_request_message_is_in_the_schema():
    schema = protocol.schema()
    missing = [name for name, rpc in schema["rpcs"].items() if rpc["request"] not in schema["messages"]]
    assert missing == []


def test_clients_call_an_rpc_at_its_first_api_endpoint():
    assert protocol.operation("mlflow.MlflowService.searchExperiments") == ("POST", "/api/2.0/mlflow/experiments/search")
    method, template = protocol.operation("mlflow.MlflowService.deleteLoggedModelTag")
    assert method == "DELETE"
    assert protocol.fill_path(template, {"model_id": "m-1", "tag_key": "a/b c"}) == (
        "/api/2.0/mlflow/logged-models/m-1/tags/a%2Fb%20c")
    with pytest.raises(KeyError):
        protocol.fill_path(template, {"model_id": "m-1"})


def test_every_rpc_the_rest_stores_call_is_in_the_schema():
    """The REST stores name RPCs; a misspelt name must fail here, not on a user's first call."""
    import re
    from pathlib import Path

    folder = Path(protocol.__file__).resolve().parents[1] / "store" / "rest"
    names = {name for path in folder.glob("*.py")
             for name in re.findall(r'_rpc\(\s*"(\w+)"', path.read_text(encoding="utf-8"))}
    assert len(names) > 60
    for name in sorted(names):
        method, template = protocol.operation(name)
        assert method in ("GET", "POST", "PATCH", "DELETE") and template.startswith("/api/")
    with pytest.raises(KeyError, match="ambiguous"):
        protocol.operation("listArtifacts")  # two services have one: a store must give the full name
