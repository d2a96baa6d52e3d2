"""/graphql with the query shapes MLflow 3.17.2's web UI sends (its client has no GraphQL call).

Expected answers are what MLflow's own server gives for the same requests:
int64 fields as strings, proto defaults for fields a message does not hold,
NaN metric values as null, failed root fields as null with their message in
"errors", and at most 10 root fields / aliases per request.
"""

import pytest

from tests.server.conftest import api, make_client

GET_RUN = """
query GetRun($data: MlflowGetRunInput!) @component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetRun(input: $data) {
    apiError { helpUrl code message }
    run {
      info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId }
      experiment { experimentId name tags { key value } artifactLocation lifecycleStage lastUpdateTime }
      modelVersions { status version name source }
      data { metrics { key value step timestamp } params { key value } tags { key value } }
      inputs {
        datasetInputs { dataset { digest name profile schema source sourceType } tags { key value } }
        modelInputs { modelId }
      }
      outputs { modelOutputs { modelId step } }
    }
  }
}
"""

SEARCH_RUNS = """
query SearchRuns($data: MlflowSearchRunsInput!) {
  mlflowSearchRuns(input: $data) {
    apiError { helpUrl code message }
    runs {
      info { runName status runUuid experimentId endTime startTime }
      experiment { experimentId name }
      data { metrics { key value step timestamp } params { key value } }
      modelVersions { version name creationTimestamp status source }
    }
  }
}
"""

BULK_INTERVAL = """
query GetMetricHistoryBulkInterval($data: MlflowGetMetricHistoryBulkIntervalInput!)
@component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetMetricHistoryBulkInterval(input: $data) {
    __typename
    metrics { timestamp step runId key value }
    apiError { code message }
  }
}
"""

GET_EXPERIMENT = """
query MlflowGetExperimentQuery($input: MlflowGetExperimentInput!) @component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetExperiment(input: $input) {
    apiError { code message }
    experiment {
      artifactLocation creationTime effectiveTraceArchivalRetention experimentId lastUpdateTime lifecycleStage name
      tags { key value }
    }
  }
}
"""


@pytest.fixture(params=["sqlite", "file"])
def client(request, tmp_path):
    test_client, _ = make_client(tmp_path, request.param)
    with test_client:
        yield test_client


@pytest.fixture
def logged(client):
    """(experiment_id, run_id) of a run with a finite and a NaN point of 'loss', a param, a tag and a dataset."""
    experiment_id = client.post(api("/experiments/create"), json={"name": "g"}).json()["experiment_id"]
    run = client.post(api("/runs/create"), json={"experiment_id": experiment_id, "run_name": "r1",
                                                  "start_time": 1000}).json()["run"]
    run_id = run["info"]["run_id"]
    response = client.post(api("/runs/log-batch"), json={
        "run_id": run_id,
        "metrics": [{"key": "loss", "value": 0.5, "step": 1, "timestamp": 1000},
                    {"key": "loss", "value": "NaN", "step": 2, "timestamp": 2000}],
        "params": [{"key": "p", "value": "v"}], "tags": [{"key": "t", "value": "x"}]})
    assert response.status_code == 200, response.text
    dataset = {"name": "train", "digest": "d1", "source_type": "local", "source": "{}"}
    client.post(api("/runs/log-inputs"), json={"run_id": run_id, "datasets": [
        {"dataset": dataset, "tags": [{"key": "mlflow.data.context", "value": "training"}]}]})
    return experiment_id, run_id


def graphql(client, query, variables=None):
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def test_get_run_as_the_ui_asks_for_it(client, logged):
    experiment_id, run_id = logged
    answer = graphql(client, GET_RUN, {"data": {"runId": run_id}})
    assert answer["errors"] is None
    result = answer["data"]["mlflowGetRun"]
    assert result["apiError"] is None
    run = result["run"]
    assert run["info"]["runUuid"] == run_id and run["info"]["runName"] == "r1"
    assert run["info"]["status"] == "RUNNING"
    assert run["info"]["startTime"] == "1000" and run["info"]["endTime"] == "0"
    assert run["experiment"]["experimentId"] == experiment_id and run["experiment"]["name"] == "g"
    assert run["experiment"]["tags"] == []
    assert run["data"]["metrics"] == [{"key": "loss", "value": None, "step": "2", "timestamp": "2000"}]
    assert run["data"]["params"] == [{"key": "p", "value": "v"}]
    assert {"key": "t", "value": "x"} in run["data"]["tags"]
    assert run["inputs"]["datasetInputs"] == [{
        "dataset": {"digest": "d1", "name": "train", "profile": "", "schema": "", "source": "{}",
                    "sourceType": "local"},
        "tags": [{"key": "mlflow.data.context", "value": "training"}]}]
    assert run["inputs"]["modelInputs"] == [] and run["outputs"] == {"modelOutputs": []}
    assert run["modelVersions"] == []


def test_a_missing_run_is_null_with_its_message(client):
    answer = graphql(client, GET_RUN, {"data": {"runId": "0" * 32}})
    assert answer["data"] == {"mlflowGetRun": None}
    # Each store words it as MLflow's store of that kind does.
    assert answer["errors"] in ([f"Run with id={'0' * 32} not found"], [f"Run '{'0' * 32}' not found"])


def test_search_runs_lists_model_versions_of_each_run(client, logged):
    experiment_id, run_id = logged
    assert client.post(api("/registered-models/create"), json={"name": "reg"}).status_code == 200
    run = client.get(api("/runs/get"), params={"run_id": run_id}).json()["run"]
    source = run["info"]["artifact_uri"] + "/model"
    response = client.post(api("/model-versions/create"), json={"name": "reg", "source": source, "run_id": run_id})
    assert response.status_code == 200, response.text
    for operation in ("query", "mutation"):
        answer = graphql(client, SEARCH_RUNS.replace("query", operation, 1), {"data": {"experimentIds": [experiment_id]}})
        assert answer["errors"] is None
        (found,) = answer["data"]["mlflowSearchRuns"]["runs"]
        assert found["info"]["runUuid"] == run_id
        assert found["experiment"] == {"experimentId": experiment_id, "name": "g"}
        assert [(v["name"], v["version"], v["status"]) for v in found["modelVersions"]] == [("reg", "1", "READY")]
        assert found["modelVersions"][0]["creationTimestamp"].isdigit()


def test_metric_history_bulk_interval_with_nan(client, logged):
    _, run_id = logged
    answer = graphql(client, BULK_INTERVAL, {"data": {"runIds": [run_id], "metricKey": "loss", "maxResults": 320}})
    assert answer["errors"] is None
    result = answer["data"]["mlflowGetMetricHistoryBulkInterval"]
    assert result["__typename"] == "MlflowGetMetricHistoryBulkIntervalResponse"
    assert result["metrics"] == [
        {"timestamp": "1000", "step": "1", "runId": run_id, "key": "loss", "value": 0.5},
        {"timestamp": "2000", "step": "2", "runId": run_id, "key": "loss", "value": None},
    ]
    ranged = graphql(client, BULK_INTERVAL, {"data": {"runIds": [run_id], "metricKey": "loss", "startStep": 2,
                                                      "endStep": 2}})
    assert [m["step"] for m in ranged["data"]["mlflowGetMetricHistoryBulkInterval"]["metrics"]] == ["2"]


def test_get_experiment_list_artifacts_and_search_datasets(client, logged):
    experiment_id, run_id = logged
    answer = graphql(client, GET_EXPERIMENT, {"input": {"experimentId": experiment_id}})
    experiment = answer["data"]["mlflowGetExperiment"]["experiment"]
    assert experiment["name"] == "g" and experiment["creationTime"].isdigit()
    assert experiment["effectiveTraceArchivalRetention"] == ""
    client.post("/ajax-api/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": "d/f.txt"}, content=b"abc")
    answer = graphql(client, '{ mlflowListArtifacts(input: {runId: "%s", path: "d"}) { rootUri files { path isDir '
                             'fileSize } } }' % run_id)
    assert answer["data"]["mlflowListArtifacts"]["files"] == [{"path": "d/f.txt", "isDir": False, "fileSize": "3"}]
    answer = graphql(client, 'mutation { mlflowSearchDatasets(input: {experimentIds: ["%s"]}) { datasetSummaries '
                             '{ experimentId name digest context } } }' % experiment_id)
    assert answer["data"]["mlflowSearchDatasets"]["datasetSummaries"] == [
        {"experimentId": experiment_id, "name": "train", "digest": "d1", "context": "training"}]


def test_several_root_fields_in_one_request(client, logged):
    experiment_id, run_id = logged
    answer = graphql(client, '{ run: mlflowGetRun(input: {runId: "%s"}) { run { info { runUuid } } } '
                             'experiment: mlflowGetExperiment(input: {experimentId: "%s"}) { experiment { name } } '
                             'missing: mlflowGetExperiment(input: {experimentId: "424242"}) { experiment { name } } }'
                     % (run_id, experiment_id))
    assert answer["data"]["run"]["run"]["info"]["runUuid"] == run_id
    assert answer["data"]["experiment"]["experiment"]["name"] == "g"
    assert answer["data"]["missing"] is None
    assert answer["errors"] in (["No Experiment with id=424242 exists"], ["Could not find experiment with ID 424242"])


def test_limits_on_root_fields_and_aliases(client, monkeypatch):
    eleven = " ".join(f'a{i}: test(inputString: "x") {{ output }}' for i in range(11))
    answer = graphql(client, "{ %s }" % eleven)
    assert answer == {"data": None, "errors": [
        "GraphQL queries should have at most 10 root fields, got 11 root fields. To increase the limit, set the "
        "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS environment variable."]}
    monkeypatch.setenv("MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS", "20")
    answer = graphql(client, "{ %s }" % eleven)
    assert answer["errors"] == ["GraphQL queries should have at most 10 aliases, got 11 aliases. To increase the "
                                "limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ALIASES environment variable."]
    monkeypatch.setenv("MLFLOW_SERVER_GRAPHQL_MAX_ALIASES", "20")
    assert graphql(client, "{ %s }" % eleven)["data"]["a10"] == {"output": "x"}


@pytest.mark.parametrize("query, message", [
    ("{ nope }", "Cannot query field 'nope' on type 'Query'."),
    ("query {", "Syntax Error: Expected Name, found <EOF>."),
])
def test_bad_queries_are_listed_as_errors(client, query, message):
    assert graphql(client, query) == {"data": None, "errors": [message]}


def test_get_requests_and_bad_bodies(client):
    response = client.get("/graphql", params={"query": '{ test(inputString: "hi") { output } }'})
    assert response.json() == {"data": {"test": {"output": "hi"}}, "errors": None}
    response = client.post("/graphql", json=[{"query": "{ test { output } }"}])
    assert response.status_code == 400 and response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    response = client.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert response.json()["message"] == "Missing value for required parameter 'query'."
    response = client.post("/graphql", content=b"{}", headers={"Content-Type": "application/xml"})
    assert response.status_code == 400
