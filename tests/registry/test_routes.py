"""The registry and logged-model REST routes, in process, over SQLite and file backends.

Includes a replay of the registry/logged-model part of the real MLflow 3.17.2
client session in mlflow-wire-samples.json: same status, same JSON shape,
same values where they do not depend on time or ids.
"""

import os

import pytest

from runtime.entities import Metric
from tests.server.conftest import api, make_client
from tests.server.test_wire import Replay, assert_same_shape, load_samples, map_ids, strip_times

AREA = ("logged-models", "registered-models", "model-versions")


def _client(tmp_path, kind):
    return make_client(tmp_path, kind)


@pytest.fixture(params=["sqlite", "file"])
def served(request, tmp_path):
    test_client, config = _client(tmp_path, request.param)
    with test_client:
        yield test_client, config


@pytest.fixture
def client(served):
    return served[0]


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error_code"] == code, response.text
    return response.json()["message"]


def _run(client):
    experiment_id = ok(client.post(api("/experiments/create"), json={"name": "exp"}))["experiment_id"]
    run = ok(client.post(api("/runs/create"), json={"experiment_id": experiment_id, "start_time": 1}))["run"]
    return experiment_id, run["info"]["run_id"]


# ---- the real client's session -------------------------------------------------------------
class RegistryReplay(Replay):
    """Replay whose experiment id is only mapped back: the sample's "1" is also a version number."""

    def __init__(self, client):
        super().__init__(client)
        self.experiment_id = None
        self.sample_experiment_id = None

    def unmap(self, value):
        back = {ours: theirs for theirs, ours in self.ids.items()}
        back[self.experiment_id] = self.sample_experiment_id
        return map_ids(value, back)


def test_wire_samples_replayed(served):
    client, _config = served
    replay = RegistryReplay(client)
    tracking = client.app.state.ctx.tracking_store
    samples = load_samples()
    checked = []
    for key, sample in samples.items():
        method, path = key.split(" ", 1)
        if key == "POST /api/2.0/mlflow/experiments/create":
            replay.experiment_id = ok(replay.send(method, path, sample))["experiment_id"]
            replay.sample_experiment_id = sample["response_body"]["experiment_id"]
            continue
        if key == "POST /api/2.0/mlflow/runs/create":
            sample = {**sample, "request_body": {**sample["request_body"], "experiment_id": replay.experiment_id}}
            answer = ok(replay.send(method, path, sample))
            replay.ids[sample["response_body"]["run"]["info"]["run_id"]] = answer["run"]["info"]["run_id"]
            continue
        if not any(area in path for area in AREA):
            continue
        if "experiment_id" in (sample["request_body"] or {}):
            sample = {**sample, "request_body": {**sample["request_body"], "experiment_id": replay.experiment_id}}
        if "{model_id}" in path:
            model_id = next(ours for theirs, ours in replay.ids.items() if theirs.startswith("m-"))
            path = path.replace("{model_id}", model_id)
        if key == "GET /api/2.0/mlflow/logged-models/{model_id}":
            # The sample's session logged 'loss' against the model through runs/log-metric.
            run_id = next(ours for theirs, ours in replay.ids.items() if len(theirs) == 32)
            tracking.record_logged_model_metrics(run_id, [Metric("loss", 1.0, 1795824792781, 0, model_id=model_id)])
        response = replay.send(method, path, sample)
        assert response.status_code == sample["status"], f"{key}: {response.text}"
        ours = response.json()
        if key == "POST /api/2.0/mlflow/logged-models":
            replay.ids[sample["response_body"]["model"]["info"]["model_id"]] = ours["model"]["info"]["model_id"]
        ours = replay.unmap(ours)
        assert_same_shape(sample["response_body"], ours, key)
        check = VALUE_CHECKS.get(key, _same_without_times)
        check(sample["response_body"], ours)
        checked.append(key)
    assert len(checked) == 13, checked


def _same_without_times(sample, ours):
    assert strip_times(ours) == strip_times(sample)


def _logged_model_matches(sample, ours):
    ignored = {"creation_timestamp_ms", "last_updated_timestamp_ms", "artifact_uri"}
    strip = lambda info: {k: v for k, v in info.items() if k not in ignored}  # noqa: E731
    assert strip(ours["model"]["info"]) == strip(sample["model"]["info"])
    assert strip_times(ours["model"]["data"]) == strip_times(sample["model"]["data"])
    assert ours["model"]["info"]["artifact_uri"] == sample["model"]["info"]["artifact_uri"]


VALUE_CHECKS = {
    "POST /api/2.0/mlflow/logged-models": _logged_model_matches,
    "GET /api/2.0/mlflow/logged-models/{model_id}": _logged_model_matches,
    "PATCH /api/2.0/mlflow/logged-models/{model_id}": _logged_model_matches,
}
TIME_KEYS = ("creation_timestamp", "last_updated_timestamp")


def _drop_times(value):
    if isinstance(value, dict):
        return {k: _drop_times(v) for k, v in value.items() if k not in TIME_KEYS}
    if isinstance(value, list):
        return [_drop_times(v) for v in value]
    return value


for _key in ("POST /api/2.0/mlflow/registered-models/create", "POST /api/2.0/mlflow/model-versions/create",
             "GET /api/2.0/mlflow/registered-models/get", "POST /api/2.0/mlflow/model-versions/transition-stage",
             "GET /api/2.0/mlflow/registered-models/alias", "GET /api/2.0/mlflow/registered-models/search"):
    VALUE_CHECKS[_key] = lambda sample, ours: _drop_times(ours) == _drop_times(sample) or pytest.fail(
        f"{_drop_times(ours)} != {_drop_times(sample)}")


# ---- registered models ---------------------------------------------------------------------
def test_registered_model_lifecycle(client):
    created = ok(client.post(api("/registered-models/create"), json={
        "name": "m", "tags": [{"key": "t", "value": "1"}], "description": "d"}))["registered_model"]
    assert created["tags"] == [{"key": "t", "value": "1"}] and created["description"] == "d"
    assert ok(client.get(api("/registered-models/get"), params={"name": "m"}))["registered_model"]["name"] == "m"
    updated = ok(client.patch(api("/registered-models/update"), json={"name": "m", "description": "new"}))
    assert updated["registered_model"]["description"] == "new"
    ok(client.post(api("/registered-models/set-tag"), json={"name": "m", "key": "k", "value": "v"}))
    ok(client.request("DELETE", api("/registered-models/delete-tag"), json={"name": "m", "key": "t"}))
    assert ok(client.get(api("/registered-models/get"), params={"name": "m"}))["registered_model"]["tags"] == [
        {"key": "k", "value": "v"}]
    renamed = ok(client.post(api("/registered-models/rename"), json={"name": "m", "new_name": "m2"}))
    assert renamed["registered_model"]["name"] == "m2"
    found = ok(client.get(api("/registered-models/search"), params={"filter": "name LIKE 'm%'", "max_results": 10}))
    assert [m["name"] for m in found["registered_models"]] == ["m2"] and "next_page_token" not in found
    assert ok(client.get("/ajax-api/2.0/mlflow/registered-models/search"))["registered_models"][0]["name"] == "m2"
    ok(client.request("DELETE", api("/registered-models/delete"), json={"name": "m2"}))
    message = error(client.get(api("/registered-models/get"), params={"name": "m2"}), 404, "RESOURCE_DOES_NOT_EXIST")
    assert "m2" in message
    assert ok(client.get(api("/registered-models/search"))) == {}


def test_registered_model_errors(client):
    error(client.post(api("/registered-models/create"), json={}), 400, "INVALID_PARAMETER_VALUE")
    error(client.post(api("/registered-models/create"), json={"name": "a/b"}), 400, "INVALID_PARAMETER_VALUE")
    ok(client.post(api("/registered-models/create"), json={"name": "m"}))
    error(client.post(api("/registered-models/create"), json={"name": "m"}), 400, "RESOURCE_ALREADY_EXISTS")
    error(client.get(api("/registered-models/search"), params={"max_results": 1001}), 400, "INVALID_PARAMETER_VALUE")
    error(client.get(api("/registered-models/alias"), params={"name": "m", "alias": "nope"}), 400,
          "INVALID_PARAMETER_VALUE")
    error(client.post(api("/registered-models/set-tag"), json={"name": "m", "key": "../k", "value": "v"}), 400,
          "INVALID_PARAMETER_VALUE")


# ---- model versions ------------------------------------------------------------------------
def test_model_versions(served, tmp_path):
    client, config = served
    experiment_id, run_id = _run(client)
    ok(client.post(api("/registered-models/create"), json={"name": "m"}))
    inside = os.path.join(config.artifacts_destination, "some", "model")
    version = ok(client.post(api("/model-versions/create"), json={"name": "m", "source": inside, "run_id": run_id}))
    version = version["model_version"]
    assert (version["version"], version["source"], version["run_id"], version["current_stage"]) == (
        "1", inside, run_id, "None")
    assert version["description"] == "" and version["run_link"] == ""
    second = ok(client.post(api("/model-versions/create"), json={
        "name": "m", "source": "s3://bucket/model", "tags": [{"key": "k", "value": "v"}]}))["model_version"]
    assert second["version"] == "2" and second["tags"] == [{"key": "k", "value": "v"}]
    moved = ok(client.post(api("/model-versions/transition-stage"), json={
        "name": "m", "version": "2", "stage": "production", "archive_existing_versions": True}))
    assert moved["model_version"]["current_stage"] == "Production"
    latest = ok(client.get(api("/registered-models/get-latest-versions"), params={"name": "m", "stages": "Production"}))
    assert [v["version"] for v in latest["model_versions"]] == ["2"]
    latest = ok(client.post(api("/registered-models/get-latest-versions"), json={"name": "m"}))
    assert [v["version"] for v in latest["model_versions"]] == ["1", "2"]
    ok(client.patch(api("/model-versions/update"), json={"name": "m", "version": "1", "description": "x"}))
    assert ok(client.get(api("/model-versions/get"), params={"name": "m", "version": "1"}))["model_version"][
        "description"] == "x"
    ok(client.post(api("/model-versions/set-tag"), json={"name": "m", "version": "1", "key": "a", "value": "b"}))
    ok(client.request("DELETE", api("/model-versions/delete-tag"), json={"name": "m", "version": "1", "key": "a"}))
    uri = ok(client.get(api("/model-versions/get-download-uri"), params={"name": "m", "version": "2"}))
    assert uri == {"artifact_uri": "s3://bucket/model"}
    found = ok(client.get(api("/model-versions/search"), params={"filter": "name='m'", "max_results": 1}))
    # Newest change first: version 1 was updated after version 2 moved to Production.
    assert [v["version"] for v in found["model_versions"]] == ["1"] and found["next_page_token"]
    ok(client.post(api("/registered-models/alias"), json={"name": "m", "alias": "champion", "version": "1"}))
    assert ok(client.get(api("/registered-models/alias"), params={"name": "m", "alias": "champion"}))[
        "model_version"]["aliases"] == ["champion"]
    ok(client.request("DELETE", api("/registered-models/alias"), json={"name": "m", "alias": "champion"}))
    ok(client.request("DELETE", api("/model-versions/delete"), json={"name": "m", "version": "1"}))
    error(client.get(api("/model-versions/get"), params={"name": "m", "version": "1"}), 404, "RESOURCE_DOES_NOT_EXIST")
    error(client.get(api("/model-versions/get"), params={"name": "m", "version": "x"}), 400, "INVALID_PARAMETER_VALUE")


@pytest.mark.parametrize("source", [
    "/etc", "/etc/passwd", "file:///etc/passwd", "file:/etc", "~/.ssh", "../../etc",
    "{dest}/../../etc", "file://{dest}/../x", "s3://bucket/../other", "mlflow-artifacts:/a/%2e%2e/b",
    "s3://bucket/model?x=1", "s3://bucket/model#frag", "models:/../x", "runs:/../x",
])
def test_version_source_outside_the_artifact_roots_is_refused(served, source):
    client, config = served
    ok(client.post(api("/registered-models/create"), json={"name": "m"}))
    source = source.replace("{dest}", os.path.abspath(config.artifacts_destination))
    error(client.post(api("/model-versions/create"), json={"name": "m", "source": source}), 400,
          "INVALID_PARAMETER_VALUE")
    assert ok(client.get(api("/model-versions/search"))) == {}


def test_symlink_inside_the_root_cannot_lead_out(served, tmp_path):
    client, config = served
    ok(client.post(api("/registered-models/create"), json={"name": "m"}))
    os.makedirs(config.artifacts_destination, exist_ok=True)
    link = os.path.join(config.artifacts_destination, "escape")
    os.symlink("/etc", link)
    error(client.post(api("/model-versions/create"), json={"name": "m", "source": link}), 400,
          "INVALID_PARAMETER_VALUE")


# ---- logged models -------------------------------------------------------------------------
def test_logged_model_routes(client):
    experiment_id, run_id = _run(client)
    created = ok(client.post(api("/logged-models"), json={
        "experiment_id": experiment_id, "name": "clf", "source_run_id": run_id, "model_type": "sklearn",
        "params": [{"key": "alpha", "value": "0.5"}], "tags": [{"key": "t", "value": "v"}]}))["model"]
    model_id = created["info"]["model_id"]
    assert created["info"]["status"] == "LOGGED_MODEL_PENDING"
    assert created["info"]["artifact_uri"] == f"mlflow-artifacts:/{experiment_id}/models/{model_id}/artifacts"
    path = api(f"/logged-models/{model_id}")
    assert ok(client.get(path))["model"]["info"]["name"] == "clf"
    ok(client.patch(path + "/tags", json={"tags": [{"key": "a", "value": "b"}]}))
    ok(client.request("DELETE", path + "/tags/t"))
    error(client.request("DELETE", path + "/tags/t"), 404, "RESOURCE_DOES_NOT_EXIST")
    ok(client.post(path + "/params", json={"params": [{"key": "beta", "value": "1"}]}))
    error(client.post(path + "/params", json={"params": [{"key": "beta", "value": "2"}]}), 400,
          "INVALID_PARAMETER_VALUE")
    final = ok(client.patch(path, json={"model_id": model_id, "status": "LOGGED_MODEL_READY"}))["model"]
    assert final["info"]["status"] == "LOGGED_MODEL_READY"
    assert final["info"]["tags"] == [{"key": "a", "value": "b"}]
    assert final["data"]["params"] == [{"key": "alpha", "value": "0.5"}, {"key": "beta", "value": "1"}]
    found = ok(client.post(api("/logged-models/search"), json={
        "experiment_ids": [experiment_id], "filter": "name = 'clf' AND params.beta = '1'",
        "order_by": [{"field_name": "creation_timestamp", "ascending": False}]}))
    assert [m["info"]["model_id"] for m in found["models"]] == [model_id]
    assert ok(client.post(api("/logged-models/search"), json={"experiment_ids": [experiment_id],
                                                              "filter": "name = 'dir'"})) == {}
    listing = ok(client.get(path + "/artifacts/directories"))
    assert listing == {"root_uri": created["info"]["artifact_uri"]}
    assert ok(client.get(f"/ajax-api/2.0/mlflow/logged-models/{model_id}"))["model"]["info"]["model_id"] == model_id
    ok(client.request("DELETE", path))
    error(client.get(path), 404, "RESOURCE_DOES_NOT_EXIST")


def test_logged_model_bad_input(client):
    experiment_id, _ = _run(client)
    error(client.post(api("/logged-models"), json={}), 400, "INVALID_PARAMETER_VALUE")
    error(client.post(api("/logged-models"), json={"experiment_id": experiment_id, "name": "a/b"}), 400,
          "INVALID_PARAMETER_VALUE")
    error(client.post(api("/logged-models"), json={"experiment_id": "../1"}), 400, "INVALID_PARAMETER_VALUE")
    error(client.get(api("/logged-models/m-" + "0" * 32)), 404, "RESOURCE_DOES_NOT_EXIST")
    for bad in ("m-..", "%2e%2e", "m-x%00y"):
        response = client.get(api(f"/logged-models/{bad}"))
        assert response.status_code in (400, 404), response.text
        assert response.json()["error_code"] in ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST")
    error(client.post(api("/logged-models/search"), json={}), 400, "INVALID_PARAMETER_VALUE")
    error(client.post(api("/logged-models/search"), json={"experiment_ids": [experiment_id],
                                                           "order_by": [{"field_name": "params.x"}]}),
          400, "INVALID_PARAMETER_VALUE")
    response = client.post(api("/logged-models"), content=b"experiment_id=0",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


def test_artifact_downloads_for_the_ui(served):
    client, config = served
    experiment_id, _ = _run(client)
    model = ok(client.post(api("/logged-models"), json={"experiment_id": experiment_id}))["model"]["info"]
    relative = model["artifact_uri"].replace("mlflow-artifacts:/", "")
    put = client.put(f"/api/2.0/mlflow-artifacts/artifacts/{relative}/MLmodel", content=b"flavors: {}\n",
                     headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 200, put.text
    response = client.get(f"/ajax-api/2.0/mlflow/logged-models/{model['model_id']}/artifacts/files",
                          params={"artifact_file_path": "MLmodel"})
    assert response.status_code == 200 and response.content == b"flavors: {}\n"
    assert response.headers["content-disposition"].startswith("attachment")
    listing = ok(client.get(api(f"/logged-models/{model['model_id']}/artifacts/directories")))
    assert listing["files"] == [{"path": "MLmodel", "is_dir": False, "file_size": 12}]
    ok(client.post(api("/registered-models/create"), json={"name": "m"}))
    ok(client.post(api("/model-versions/create"), json={
        "name": "m", "source": f"models:/{model['model_id']}", "model_id": model["model_id"]}))
    response = client.get("/model-versions/get-artifact", params={"name": "m", "version": "1", "path": "MLmodel"})
    assert response.status_code == 200 and response.content == b"flavors: {}\n"
    for bad in ("../MLmodel", "/etc/passwd", "%2e%2e/x"):
        response = client.get("/model-versions/get-artifact", params={"name": "m", "version": "1", "path": bad})
        assert response.status_code == 400, bad
    error(client.get("/model-versions/get-artifact", params={"name": "m", "version": "1", "path": "nope"}), 404,
          "RESOURCE_DOES_NOT_EXIST")


def test_every_registry_rpc_is_served_on_api_and_ajax_api_paths(client):
    from runtime.wire.protocol import rpc_info
    from runtime.server.routes_registry import LOGGED_MODEL_RPCS, REGISTRY, REGISTRY_RPCS, TRACKING

    served_paths = {(method, route.path) for route in client.app.routes for method in (route.methods or ())}
    for service, table in ((REGISTRY, REGISTRY_RPCS), (TRACKING, LOGGED_MODEL_RPCS)):
        for rpc in table:
            for method, path in rpc_info(service + rpc)["endpoints"]:
                assert (method, path) in served_paths, (method, path)
