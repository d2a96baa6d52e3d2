"""The model registry contract: file, SQLite, PostgreSQL and MariaDB stores, and the REST
client talking to an mlf server."""

import threading
import time

import pytest

from runtime.errors import AlreadyExists, InvalidParameter, NotFound
from runtime.registry_entities import ModelVersionStage


def _versions(registry, name, count, source="s3://bucket/model"):
    return [registry.create_model_version(name, source) for _ in range(count)]


# ---- registered models ---------------------------------------------------------------------
def test_create_and_get(registry):
    created = registry.create_registered_model("m1", tags={"team": "a"}, description="first")
    fetched = registry.get_registered_model("m1")
    assert created == fetched
    assert fetched.name == "m1" and fetched.description == "first" and fetched.tags == {"team": "a"}
    assert fetched.creation_timestamp == fetched.last_updated_timestamp > 0
    assert fetched.latest_versions == [] and fetched.aliases == {}
    assert registry.create_registered_model("m2").to_dict().keys() == {"name", "creation_timestamp",
                                                                        "last_updated_timestamp"}


def test_duplicate_and_missing_names(registry):
    registry.create_registered_model("dup")
    with pytest.raises(AlreadyExists, match=r"Registered Model \(name=dup\) already exists"):
        registry.create_registered_model("dup")
    with pytest.raises(NotFound, match="Registered Model with name=nope not found"):
        registry.get_registered_model("nope")
    for call in (lambda: registry.delete_registered_model("nope"),
                 lambda: registry.update_registered_model("nope", "d"),
                 lambda: registry.create_model_version("nope", "s3://b/x"),
                 lambda: registry.get_latest_versions("nope")):
        with pytest.raises(NotFound):
            call()


@pytest.mark.parametrize("name", ["", "   ", "a/b", "a\\b", "a:b", "..", "a%b", "x" * 257, "nul\x00"])
def test_invalid_names(registry, name):
    with pytest.raises(InvalidParameter):
        registry.create_registered_model(name)


def test_update_description(registry):
    before = registry.create_registered_model("m")
    time.sleep(0.002)
    after = registry.update_registered_model("m", "new words")
    assert after.description == "new words"
    assert after.last_updated_timestamp > before.last_updated_timestamp


def test_rename_moves_everything(registry):
    registry.create_registered_model("old", tags={"t": "1"})
    _versions(registry, "old", 2)
    registry.set_model_version_tag("old", "2", "vt", "x")
    registry.set_registered_model_alias("old", "champion", "2")
    renamed = registry.rename_registered_model("old", "new")
    assert renamed.name == "new" and renamed.tags == {"t": "1"} and renamed.aliases == {"champion": "2"}
    with pytest.raises(NotFound):
        registry.get_registered_model("old")
    version = registry.get_model_version("new", "2")
    assert version.name == "new" and version.tags == {"vt": "x"} and version.aliases == ["champion"]
    assert registry.get_model_version_by_alias("new", "champion").version == "2"
    assert registry.create_model_version("new", "s3://b/y").version == "3"
    registry.create_registered_model("taken")
    with pytest.raises(AlreadyExists):
        registry.rename_registered_model("new", "taken")
    with pytest.raises(NotFound):
        registry.rename_registered_model("ghost", "other")


def test_delete_removes_versions(registry):
    registry.create_registered_model("gone")
    _versions(registry, "gone", 2)
    registry.delete_registered_model("gone")
    with pytest.raises(NotFound):
        registry.get_model_version("gone", "1")
    assert registry.search_model_versions("name = 'gone'") == []
    registry.create_registered_model("gone")
    assert registry.create_model_version("gone", "s3://b/z").version == "1"


def test_tags(registry):
    registry.create_registered_model("m")
    first = registry.get_registered_model("m").last_updated_timestamp
    time.sleep(0.002)
    registry.set_registered_model_tag("m", "k", "v1")
    registry.set_registered_model_tag("m", "k", "v2")
    # 5,000 characters: the most mlflow's SQL schema holds (registered_model_tags.value VARCHAR(5000)).
    registry.set_registered_model_tag("m", "path/like.key", "x" * 5_000)
    model = registry.get_registered_model("m")
    assert model.tags == {"k": "v2", "path/like.key": "x" * 5_000}
    assert model.last_updated_timestamp > first
    registry.delete_registered_model_tag("m", "k")
    registry.delete_registered_model_tag("m", "never-set")  # not an error, as in MLflow
    assert registry.get_registered_model("m").tags == {"path/like.key": "x" * 5_000}
    with pytest.raises(InvalidParameter):
        registry.set_registered_model_tag("m", "../escape", "v")
    with pytest.raises(InvalidParameter):
        registry.set_registered_model_tag("m", "k", "x" * 100_001)


# ---- model versions ------------------------------------------------------------------------
def test_versions_are_numbered_and_never_reused(registry):
    registry.create_registered_model("m")
    created = _versions(registry, "m", 3)
    assert [v.version for v in created] == ["1", "2", "3"]
    first = created[0]
    assert first.current_stage == "None" and first.status == "READY" and first.source == "s3://bucket/model"
    registry.delete_model_version("m", "3")
    with pytest.raises(NotFound, match=r"Model Version \(name=m, version=3\) not found"):
        registry.get_model_version("m", "3")
    assert registry.create_model_version("m", "s3://b/again").version == "4"
    assert [v.version for v in registry.search_model_versions("name = 'm'")] == ["4", "2", "1"]


def test_create_version_fields_and_model_timestamp(registry):
    model = registry.create_registered_model("m")
    time.sleep(0.002)
    version = registry.create_model_version("m", "s3://b/k", run_id="a" * 32, tags={"x": "y"}, run_link="http://l",
                                            description="desc")
    assert (version.run_id, version.run_link, version.description, version.tags) == ("a" * 32, "http://l", "desc",
                                                                                     {"x": "y"})
    assert registry.get_registered_model("m").last_updated_timestamp > model.last_updated_timestamp


def test_version_numbers_must_be_integers(registry):
    registry.create_registered_model("m")
    for bad in ("abc", "1.5", "-1", "../1"):
        with pytest.raises(InvalidParameter, match="must be an integer"):
            registry.get_model_version("m", bad)


def test_update_version(registry):
    registry.create_registered_model("m")
    registry.create_model_version("m", "s3://b/x")
    assert registry.update_model_version("m", "1", "better").description == "better"
    assert registry.get_model_version("m", "1").description == "better"


def test_transition_stage_and_archive(registry):
    registry.create_registered_model("m")
    _versions(registry, "m", 3)
    registry.transition_model_version_stage("m", "1", "production")
    registry.transition_model_version_stage("m", "2", "Staging")
    moved = registry.transition_model_version_stage("m", "3", "PRODUCTION", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert registry.get_model_version("m", "1").current_stage == "Archived"
    assert registry.get_model_version("m", "2").current_stage == "Staging"
    latest = {v.current_stage: v.version for v in registry.get_latest_versions("m")}
    assert latest == {"Archived": "1", "Staging": "2", "Production": "3"}
    assert [v.version for v in registry.get_latest_versions("m", ["staging"])] == ["2"]
    assert {v.version for v in registry.get_registered_model("m").latest_versions} == {"1", "2", "3"}
    with pytest.raises(InvalidParameter, match="Invalid Model Version stage: bogus"):
        registry.transition_model_version_stage("m", "1", "bogus")
    with pytest.raises(InvalidParameter, match="not an Active stage"):
        registry.transition_model_version_stage("m", "1", "Archived", archive_existing_versions=True)


def test_version_tags(registry):
    registry.create_registered_model("m")
    registry.create_model_version("m", "s3://b/x")
    registry.set_model_version_tag("m", "1", "k", "v")
    registry.set_model_version_tag("m", "1", "k", "w")
    assert registry.get_model_version("m", "1").tags == {"k": "w"}
    registry.delete_model_version_tag("m", "1", "k")
    assert registry.get_model_version("m", "1").tags == {}
    with pytest.raises(NotFound):
        registry.set_model_version_tag("m", "9", "k", "v")


def test_download_uri_follows_models_sources(registry):
    registry.create_registered_model("base")
    registry.create_model_version("base", "s3://bucket/path/model")
    registry.create_registered_model("derived")
    derived = registry.create_model_version("derived", "models:/base/1")
    assert derived.source == "models:/base/1"
    assert registry.get_model_version_download_uri("derived", "1") == "s3://bucket/path/model"
    registry.set_registered_model_alias("base", "champion", "1")
    registry.create_model_version("derived", "models:/base@champion")
    assert registry.get_model_version_download_uri("derived", "2") == "s3://bucket/path/model"
    with pytest.raises(NotFound):
        registry.create_model_version("derived", "models:/base/7")


def test_logged_model_source(registry, store, backend):
    experiment_id = store.create_experiment("with-models")
    run = store.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name="r")
    logged = store.create_logged_model(experiment_id, name="clf", source_run_id=run.info.run_id)
    registry.create_registered_model("m")
    version = registry.create_model_version("m", f"models:/{logged.model_id}", model_id=logged.model_id)
    assert version.run_id == run.info.run_id, "run_id defaults to the logged model's source run"
    if backend != "rest":  # the REST API does not carry it back
        assert version.model_id == logged.model_id
    assert "model_id" not in version.to_dict(), "MLflow's server does not send model_id"
    assert registry.get_model_version_download_uri("m", "1") == logged.artifact_location
    with pytest.raises(NotFound):
        registry.create_model_version("m", "models:/m-" + "0" * 32)


# ---- aliases -----------------------------------------------------------------------------
def test_aliases(registry):
    registry.create_registered_model("m")
    _versions(registry, "m", 2)
    registry.set_registered_model_alias("m", "champion", "1")
    registry.set_registered_model_alias("m", "challenger", "2")
    assert registry.get_model_version_by_alias("m", "champion").version == "1"
    assert registry.get_model_version("m", "1").aliases == ["champion"]
    registry.set_registered_model_alias("m", "champion", "2")
    assert registry.get_model_version("m", "2").aliases == ["challenger", "champion"]
    assert registry.get_registered_model("m").aliases == {"challenger": "2", "champion": "2"}
    registry.delete_registered_model_alias("m", "challenger")
    registry.delete_registered_model_alias("m", "never")  # not an error
    assert registry.get_registered_model("m").aliases == {"champion": "2"}
    with pytest.raises(InvalidParameter, match="Registered model alias gone not found"):
        registry.get_model_version_by_alias("m", "gone")
    registry.delete_model_version("m", "2")
    assert registry.get_registered_model("m").aliases == {}
    with pytest.raises(InvalidParameter):
        registry.get_model_version_by_alias("m", "champion")


@pytest.mark.parametrize("alias", ["latest", "LATEST", "v1", "V12"])
def test_reserved_aliases(registry, alias):
    registry.create_registered_model("m")
    registry.create_model_version("m", "s3://b/x")
    with pytest.raises(InvalidParameter, match="reserved"):
        registry.set_registered_model_alias("m", alias, "1")


def test_alias_needs_a_live_version(registry):
    registry.create_registered_model("m")
    with pytest.raises(NotFound):
        registry.set_registered_model_alias("m", "a", "1")
    with pytest.raises(InvalidParameter):
        registry.set_registered_model_alias("m", "../a", "1")


# ---- search --------------------------------------------------------------------------------
def test_search_registered_models(registry):
    for name, tags in (("alpha", {"team": "a"}), ("beta", {"team": "b"}), ("Gamma", {}),
                       ("prompt", {"mlflow.prompt.is_prompt": "true"})):
        registry.create_registered_model(name, tags=tags)
    names = lambda page: [m.name for m in page]  # noqa: E731
    assert names(registry.search_registered_models()) == ["Gamma", "alpha", "beta"], "prompts are hidden"
    assert names(registry.search_registered_models("name LIKE '%a'")) == ["Gamma", "alpha", "beta"]
    assert names(registry.search_registered_models("name ILIKE 'g%'")) == ["Gamma"]
    assert names(registry.search_registered_models("tags.team = 'b'")) == ["beta"]
    assert names(registry.search_registered_models("tag.`mlflow.prompt.is_prompt` = 'true'")) == ["prompt"]
    assert names(registry.search_registered_models("tag.`mlflow.prompt.is_prompt` != 'true'")) == [
        "Gamma", "alpha", "beta"]
    assert names(registry.search_registered_models(order_by=["name DESC"])) == ["beta", "alpha", "Gamma"]
    first = registry.search_registered_models(max_results=2)
    assert names(first) == ["Gamma", "alpha"] and first.token
    rest = registry.search_registered_models(max_results=2, page_token=first.token)
    assert names(rest) == ["beta"] and rest.token is None
    with pytest.raises(InvalidParameter):
        registry.search_registered_models(max_results=1001)
    with pytest.raises(InvalidParameter):
        registry.search_registered_models("name = 'x' OR name = 'y'")
    with pytest.raises(InvalidParameter):
        registry.search_registered_models(page_token="garbage!")


def test_search_model_versions(registry):
    registry.create_registered_model("a")
    registry.create_registered_model("b")
    registry.create_model_version("a", "s3://x/1", run_id="1" * 32)
    time.sleep(0.002)
    registry.create_model_version("b", "s3://x/2", run_id="2" * 32, tags={"k": "v"})
    time.sleep(0.002)
    registry.create_model_version("a", "s3://x/3", run_id="3" * 32)
    keys = lambda page: [(v.name, v.version) for v in page]  # noqa: E731
    assert keys(registry.search_model_versions()) == [("a", "2"), ("b", "1"), ("a", "1")]
    assert keys(registry.search_model_versions("name = 'a'")) == [("a", "2"), ("a", "1")]
    assert keys(registry.search_model_versions(f"run_id IN ('{'1' * 32}', '{'2' * 32}')")) == [("b", "1"), ("a", "1")]
    assert keys(registry.search_model_versions("tags.k = 'v'")) == [("b", "1")]
    assert keys(registry.search_model_versions("source_path LIKE 's3://x/%' and name = 'a'",
                                               order_by=["version_number ASC"])) == [("a", "1"), ("a", "2")]
    page = registry.search_model_versions(max_results=2)
    assert len(page) == 2 and page.token
    assert keys(registry.search_model_versions(max_results=2, page_token=page.token)) == [("a", "1")]


# ---- concurrency -----------------------------------------------------------------------------
def test_concurrent_version_creation(registry, open_registry):
    """Writers in several threads (and store objects) get distinct consecutive numbers."""
    registry.create_registered_model("busy")
    stores = [open_registry() for _ in range(4)]
    numbers, errors = [], []

    def work(store):
        try:
            for _ in range(5):
                numbers.append(int(store.create_model_version("busy", "s3://b/x").version))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert not errors, errors
    assert sorted(numbers) == list(range(1, 21))
    assert len(registry.search_model_versions("name = 'busy'")) == 20
    assert ModelVersionStage.NONE == registry.get_model_version("busy", "20").current_stage


def test_failed_file_writes_free_the_name_again(tmp_path, monkeypatch):
    """A create that fails half-way (disk full...) leaves no folder that would block the name."""
    from runtime.store.file import model_registry as model_registry_file
    from runtime.store.file.model_registry import FileModelRegistryStore

    registry = FileModelRegistryStore(str(tmp_path / "mlruns"))
    real_write = model_registry_file.write_atomic

    def failing_meta_write(path, data, *args):
        if path.endswith("meta.yaml"):
            raise OSError(28, "No space left on device")
        return real_write(path, data, *args)

    monkeypatch.setattr(model_registry_file, "write_atomic", failing_meta_write)
    with pytest.raises(OSError):
        registry.create_registered_model("m", tags={"k": "v"})
    monkeypatch.setattr(model_registry_file, "write_atomic", real_write)
    assert registry.create_registered_model("m").name == "m"
    registry.create_model_version("m", "s3://b/1")
    monkeypatch.setattr(model_registry_file, "write_atomic", failing_meta_write)
    with pytest.raises(OSError):
        registry.create_model_version("m", "s3://b/2")
    monkeypatch.setattr(model_registry_file, "write_atomic", real_write)
    assert registry.create_model_version("m", "s3://b/2").version == "2"


def test_tags_whose_key_looks_like_a_temp_file_are_kept(registry):
    """Regression: the file store's key/value reader skipped '.tmp-' keys (its old temp prefix)."""
    registry.create_registered_model("m", tags={".tmp-a": "1"})
    registry.set_registered_model_tag("m", ".tmp-b", "2")
    version = registry.create_model_version("m", "s3://b/1", tags={".tmp-c": "3"})
    registry.set_model_version_tag("m", version.version, ".tmp-d", "4")
    assert registry.get_registered_model("m").tags == {".tmp-a": "1", ".tmp-b": "2"}
    assert registry.get_model_version("m", version.version).tags == {".tmp-c": "3", ".tmp-d": "4"}
