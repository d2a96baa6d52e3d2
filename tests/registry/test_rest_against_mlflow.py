"""mlf's REST registry client and logged-model client against a real `mlflow server` 3.17.2."""

import pytest

from runtime.errors import AlreadyExists, InvalidParameter, NotFound


@pytest.fixture(scope="module")
def mlflow_url(tmp_path_factory):
    """One real server for the module: starting mlflow takes many seconds (the tests use distinct names)."""
    from tests.server.live_server import mlflow_peer_server

    server = mlflow_peer_server(tmp_path_factory.mktemp("mlflow-server"))
    with server:
        yield server.url


def test_registry_client_against_mlflow(mlflow_url):
    from runtime.store.factory import get_model_registry_store

    registry = get_model_registry_store(mlflow_url)
    try:
        created = registry.create_registered_model("m", tags={"team": "a"}, description="d")
        assert (created.name, created.tags, created.description) == ("m", {"team": "a"}, "d")
        with pytest.raises(AlreadyExists):
            registry.create_registered_model("m")
        with pytest.raises(NotFound):
            registry.get_registered_model("missing")
        first = registry.create_model_version("m", "s3://bucket/model/1", tags={"k": "v"})
        second = registry.create_model_version("m", "s3://bucket/model/2")
        assert (first.version, second.version, first.tags) == ("1", "2", {"k": "v"})
        registry.set_registered_model_alias("m", "champion", "1")
        assert registry.get_model_version_by_alias("m", "champion").aliases == ["champion"]
        with pytest.raises(InvalidParameter):
            registry.get_model_version_by_alias("m", "nope")
        moved = registry.transition_model_version_stage("m", "2", "Production", archive_existing_versions=True)
        assert moved.current_stage == "Production"
        assert [v.version for v in registry.get_latest_versions("m", ["Production"])] == ["2"]
        registry.set_model_version_tag("m", "2", "a", "b")
        registry.delete_model_version_tag("m", "1", "k")
        assert registry.get_model_version("m", "1").tags == {}
        assert registry.update_model_version("m", "2", "better").description == "better"
        registry.set_registered_model_tag("m", "x", "y")
        registry.delete_registered_model_tag("m", "team")
        model = registry.get_registered_model("m")
        assert model.tags == {"x": "y"} and model.aliases == {"champion": "1"}
        assert registry.get_model_version_download_uri("m", "2") == "s3://bucket/model/2"
        assert [m.name for m in registry.search_registered_models("name LIKE 'm%'")] == ["m"]
        assert sorted(v.version for v in registry.search_model_versions("name = 'm'")) == ["1", "2"]
        renamed = registry.rename_registered_model("m", "m2")
        assert renamed.name == "m2"
        registry.delete_registered_model_alias("m2", "champion")
        registry.delete_model_version("m2", "1")
        assert [v.version for v in registry.search_model_versions("name = 'm2'")] == ["2"]
        registry.delete_registered_model("m2")
        assert list(registry.search_registered_models()) == []
    finally:
        registry.close()


def test_logged_model_client_against_mlflow(mlflow_url):
    from runtime.store.rest.store import RestStore

    store = RestStore(mlflow_url)
    try:
        experiment_id = store.create_experiment("lm")
        run = store.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name="r")
        model = store.create_logged_model(experiment_id, name="clf", source_run_id=run.info.run_id,
                                          params={"alpha": "0.5"}, tags={"t": "v"}, model_type="sklearn")
        assert model.status == "PENDING" and model.params == {"alpha": "0.5"} and model.tags["t"] == "v"
        assert model.artifact_location.endswith(f"/models/{model.model_id}/artifacts")
        assert store.finalize_logged_model(model.model_id, "READY").status == "READY"
        store.set_logged_model_tags(model.model_id, {"u": "w"})
        store.delete_logged_model_tag(model.model_id, "t")
        store.log_logged_model_params(model.model_id, {"beta": "1"})
        fetched = store.get_logged_model(model.model_id)
        assert fetched.tags.get("u") == "w" and "t" not in fetched.tags
        assert fetched.params == {"alpha": "0.5", "beta": "1"}
        found = store.search_logged_models([experiment_id], "name = 'clf'",
                                           order_by=[{"field_name": "creation_timestamp", "ascending": False}])
        assert [m.model_id for m in found] == [model.model_id]
        store.delete_logged_model(model.model_id)
        with pytest.raises(NotFound):
            store.get_logged_model(model.model_id)
    finally:
        store.close()
