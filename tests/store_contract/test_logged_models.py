"""The logged-model part of the tracking stores, on every backend."""

import math
import re
import time

import pytest

from runtime.entities import LifecycleStage, Metric
from runtime.errors import InvalidParameter, InvalidState, NotFound
from runtime.registry_entities import LoggedModelStatus


@pytest.fixture
def experiment_id(store):
    return store.create_experiment("models-exp")


@pytest.fixture
def run_id(store, experiment_id):
    return store.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name="r").info.run_id


def _attach_metrics(store, backend, run_id, metrics):
    """Metrics naming a model reach it: through the tracking stores' hook, or a server's log_batch."""
    if backend == "rest":
        store.log_batch(run_id, metrics=metrics)
    else:
        store.record_logged_model_metrics(run_id, metrics)


def _ids(page):
    return [m.model_id for m in page]


def test_create_and_get(store, experiment_id, run_id):
    model = store.create_logged_model(experiment_id, name="clf", source_run_id=run_id, tags={"t": "v"},
                                         params={"alpha": "0.5", "n": 3}, model_type="sklearn")
    assert re.fullmatch(r"m-[0-9a-f]{32}", model.model_id)
    assert model.status == LoggedModelStatus.PENDING
    assert model.experiment_id == experiment_id and model.name == "clf" and model.model_type == "sklearn"
    assert model.source_run_id == run_id and model.tags == {"t": "v"} and model.params == {"alpha": "0.5", "n": "3"}
    experiment = store.get_experiment(experiment_id)
    assert model.artifact_location == f"{experiment.artifact_location}/models/{model.model_id}/artifacts"
    assert model.creation_timestamp == model.last_updated_timestamp > 0
    assert store.get_logged_model(model.model_id) == model
    wire = model.to_dict()
    assert wire["info"]["status"] == "LOGGED_MODEL_PENDING" and wire["info"]["artifact_uri"] == model.artifact_location
    assert wire["data"]["params"] == [{"key": "alpha", "value": "0.5"}, {"key": "n", "value": "3"}]


def test_default_name_and_minimal_model(store, experiment_id):
    model = store.create_logged_model(experiment_id)
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{3}", model.name)
    assert model.source_run_id is None and model.tags == {} and model.params == {} and model.metrics == []
    assert model.to_dict()["info"]["model_type"] == ""


@pytest.mark.parametrize("name", ["", "my/model", "my.model", "my:model", "my%model", "my'model", 'my"model'])
def test_invalid_names(store, experiment_id, name):
    with pytest.raises(InvalidParameter, match="Invalid model name"):
        store.create_logged_model(experiment_id, name=name)


def test_experiment_must_exist_and_be_active(store, experiment_id):
    with pytest.raises(NotFound):
        store.create_logged_model("123456")
    store.delete_experiment(experiment_id)
    with pytest.raises(InvalidState, match="non-active experiment"):
        store.create_logged_model(experiment_id)


@pytest.mark.parametrize("model_id", ["m-" + "0" * 32, "1234"])
def test_missing_model(store, model_id):
    with pytest.raises(NotFound, match="not found"):
        store.get_logged_model(model_id)
    with pytest.raises(NotFound):
        store.finalize_logged_model(model_id, "READY")


@pytest.mark.parametrize("model_id", ["../m-x", "m-1/2", "m-..", "a\x00b"])
def test_path_like_ids_are_refused(store, model_id):
    with pytest.raises(InvalidParameter):
        store.get_logged_model(model_id)


def test_finalize(store, experiment_id):
    model = store.create_logged_model(experiment_id)
    time.sleep(0.002)
    ready = store.finalize_logged_model(model.model_id, "LOGGED_MODEL_READY")
    assert ready.status == "READY" and ready.last_updated_timestamp > model.last_updated_timestamp
    assert ready.creation_timestamp == model.creation_timestamp and ready.name == model.name
    assert store.finalize_logged_model(model.model_id, LoggedModelStatus.FAILED).status == "FAILED"
    assert store.get_logged_model(model.model_id).to_dict()["info"]["status"] == "LOGGED_MODEL_UPLOAD_FAILED"
    with pytest.raises(InvalidParameter):
        store.finalize_logged_model(model.model_id, "DONE")


def test_tags(store, experiment_id):
    model = store.create_logged_model(experiment_id)
    store.set_logged_model_tags(model.model_id, {"a": "1", "b": None, "c": 3})
    store.set_logged_model_tags(model.model_id, {"a": "2"})
    assert store.get_logged_model(model.model_id).tags == {"a": "2", "b": "", "c": "3"}
    store.delete_logged_model_tag(model.model_id, "a")
    assert store.get_logged_model(model.model_id).tags == {"b": "", "c": "3"}
    with pytest.raises(NotFound, match="No tag with key 'a'"):
        store.delete_logged_model_tag(model.model_id, "a")
    with pytest.raises(InvalidParameter):
        store.set_logged_model_tags(model.model_id, {"a!b": "x"})
    with pytest.raises(InvalidParameter):
        store.set_logged_model_tags(model.model_id, {"k": "x" * 8001})


def test_params_are_immutable(store, experiment_id):
    model = store.create_logged_model(experiment_id, params={"a": "1"})
    store.log_logged_model_params(model.model_id, {"a": "1", "b": "2"})
    assert store.get_logged_model(model.model_id).params == {"a": "1", "b": "2"}
    with pytest.raises(InvalidParameter, match="Changing param values is not allowed"):
        store.log_logged_model_params(model.model_id, {"a": "other"})
    with pytest.raises(InvalidParameter):
        store.log_logged_model_params(model.model_id, {"a" * 251: "x"})


def test_metrics_from_runs(store, backend, experiment_id, run_id):
    model = store.create_logged_model(experiment_id, source_run_id=run_id)
    other = store.create_logged_model(experiment_id)
    _attach_metrics(store, backend, run_id, [
        Metric("acc", 0.5, 1000, 1, model_id=model.model_id, dataset_name="eval set", dataset_digest="d1"),
        Metric("acc", 0.7, 1001, 2, model_id=model.model_id),
        Metric("loss", float("nan"), 1002, 0, model_id=model.model_id),
        Metric("acc", 0.1, 1000, 0, model_id=other.model_id),
        Metric("run-only", 1.0, 1000, 0),
    ])
    metrics = store.get_logged_model(model.model_id).metrics
    by_key = {(m.key, m.step): m for m in metrics}
    assert set(by_key) == {("acc", 1), ("acc", 2), ("loss", 0)}
    assert by_key[("acc", 1)].dataset_name == "eval set" and by_key[("acc", 1)].dataset_digest == "d1"
    assert by_key[("acc", 1)].run_id == run_id and by_key[("acc", 1)].model_id == model.model_id
    assert math.isnan(by_key[("loss", 0)].value)
    assert [m.value for m in store.get_logged_model(other.model_id).metrics] == [0.1]
    if backend == "rest":
        return  # the hook below is the tracking stores' own; a server calls it from log_batch
    with pytest.raises(NotFound):
        store.record_logged_model_metrics(run_id, [Metric("x", 1.0, 1, 0, model_id="m-" + "1" * 32)])


def test_search_filters(store, backend, experiment_id, run_id):
    first = store.create_logged_model(experiment_id, name="first", source_run_id=run_id, model_type="sklearn",
                                         params={"p": "1"}, tags={"t": "x"})
    time.sleep(0.002)
    second = store.create_logged_model(experiment_id, name="second", model_type="torch")
    store.finalize_logged_model(second.model_id, "READY")
    other_experiment = store.create_experiment("elsewhere")
    third = store.create_logged_model(other_experiment, name="third")
    _attach_metrics(store, backend, run_id, [
        Metric("acc", 0.9, 10, 0, model_id=first.model_id, dataset_name="ds", dataset_digest="d"),
        Metric("acc", 0.4, 10, 0, model_id=second.model_id),
    ])
    search = lambda text=None, **kw: _ids(store.search_logged_models([experiment_id], text, **kw))  # noqa: E731
    assert search() == [second.model_id, first.model_id], "newest first"
    assert search("name = 'first'") == [first.model_id]
    assert search("name != 'first'") == [second.model_id]
    assert search("model_type LIKE 'sk%'") == [first.model_id]
    assert search("model_type ILIKE 'TORCH'") == [second.model_id]
    assert search("status = 'READY'") == [second.model_id]
    assert search("status = 'LOGGED_MODEL_PENDING'") == [first.model_id]
    assert search(f"source_run_id = '{run_id}'") == [first.model_id]
    assert search(f"creation_timestamp > {first.creation_timestamp}") == [second.model_id]
    assert search("params.p = '1'") == [first.model_id]
    assert search("tags.t = 'x' AND metrics.acc > 0.5") == [first.model_id]
    assert search("metrics.acc < 0.5") == [second.model_id]
    assert search("tags.t IS NULL") == [second.model_id]
    assert search("name IN ('first', 'zzz')") == [first.model_id]
    assert search(datasets=[{"dataset_name": "ds"}]) == [first.model_id]
    assert search("metrics.acc > 0", datasets=[{"dataset_name": "ds", "dataset_digest": "other"}]) == []
    both = store.search_logged_models([experiment_id, other_experiment, "999999"])
    assert _ids(both) == [third.model_id, second.model_id, first.model_id]
    assert _ids(store.search_logged_models([])) == []
    with pytest.raises(InvalidParameter):
        store.search_logged_models([experiment_id], "artifact_location = 'x'")
    with pytest.raises(InvalidParameter, match="dataset_name"):
        store.search_logged_models([experiment_id], datasets=[{}])


def test_search_order_and_pages(store, backend, experiment_id, run_id):
    models = []
    for index, value in enumerate([0.3, 0.9, None, 0.5]):
        model = store.create_logged_model(experiment_id, name=f"m{index}")
        if value is not None:
            _attach_metrics(store, backend, run_id, [Metric("acc", value, 1, 0, model_id=model.model_id)])
        models.append(model)
        time.sleep(0.002)
    ids = [m.model_id for m in models]
    order = lambda *clauses: _ids(store.search_logged_models([experiment_id], order_by=list(clauses)))  # noqa: E731
    assert order({"field_name": "metrics.acc"}) == [ids[0], ids[3], ids[1], ids[2]]
    assert order({"field_name": "metrics.acc", "ascending": False}) == [ids[1], ids[3], ids[0], ids[2]]
    assert order({"field_name": "name", "ascending": False}) == ids[::-1]
    assert order({"field_name": "creation_time", "ascending": True}) == ids
    with pytest.raises(InvalidParameter, match="Invalid order by field name: artifact_location"):
        order({"field_name": "artifact_location"})
    with pytest.raises(InvalidParameter, match="Invalid order by field name: params.x"):
        order({"field_name": "params.x"})
    with pytest.raises(InvalidParameter, match="`field_name`"):
        order({})
    first = store.search_logged_models([experiment_id], max_results=3)
    assert len(first) == 3 and first.token
    rest = store.search_logged_models([experiment_id], max_results=3, page_token=first.token)
    assert _ids(first) + _ids(rest) == ids[::-1] and rest.token is None


@pytest.mark.not_on("rest", reason="the REST API has no permanent deletion")
def test_delete_and_gc(store, experiment_id, run_id):
    model = store.create_logged_model(experiment_id, source_run_id=run_id, params={"a": "1"}, tags={"t": "v"})
    store.record_logged_model_metrics(run_id, [Metric("acc", 1.0, 1, 0, model_id=model.model_id)])
    kept = store.create_logged_model(experiment_id)
    store.delete_logged_model(model.model_id)
    with pytest.raises(NotFound):
        store.get_logged_model(model.model_id)
    with pytest.raises(NotFound):
        store.set_logged_model_tags(model.model_id, {"x": "y"})
    assert _ids(store.search_logged_models([experiment_id])) == [kept.model_id]
    deleted = store.get_logged_model(model.model_id, allow_deleted=True)
    assert deleted.lifecycle_stage == LifecycleStage.DELETED
    assert store.get_deleted_logged_models() == [model.model_id]
    assert store.get_deleted_logged_models(older_than_ms=3_600_000) == []
    store.hard_delete_logged_model(model.model_id)
    with pytest.raises(NotFound):
        store.get_logged_model(model.model_id, allow_deleted=True)
    assert store.get_deleted_logged_models() == []
    assert store.get_logged_model(kept.model_id).model_id == kept.model_id


@pytest.mark.not_on("rest", reason="the REST API has no permanent deletion")
def test_hard_deleting_the_experiment_removes_its_models(store, experiment_id, run_id):
    model = store.create_logged_model(experiment_id, source_run_id=run_id, params={"a": "1"}, tags={"t": "v"})
    store.record_logged_model_metrics(run_id, [Metric("acc", 1.0, 1, 0, model_id=model.model_id)])
    store.delete_experiment(experiment_id)
    store.hard_delete_experiment(experiment_id)
    with pytest.raises(NotFound):
        store.get_logged_model(model.model_id, allow_deleted=True)


def test_run_metrics_naming_a_model_reach_it_through_log_batch(store, experiment_id, run_id):
    """The tracking store's log_batch hands metrics with a model_id to record_logged_model_metrics."""
    model = store.create_logged_model(experiment_id, source_run_id=run_id)
    store.log_batch(run_id, metrics=[Metric("acc", 0.75, 5, 2, model_id=model.model_id),
                                        Metric("plain", 1.0, 5, 0)])
    assert [(m.key, m.value, m.step, m.run_id) for m in store.get_logged_model(model.model_id).metrics] == [
        ("acc", 0.75, 2, run_id)]
    assert set(store.get_run(run_id).metrics) == {"acc", "plain"}


def test_keys_that_look_like_temp_files_are_kept(store, experiment_id):
    """Regression: the file store's key/value reader skipped '.tmp-' keys (its old temp prefix)."""
    model = store.create_logged_model(experiment_id, name="clf", tags={".tmp-a": "1"}, params={".tmp-p": "x"})
    store.set_logged_model_tags(model.model_id, {".tmp-b": "2"})
    fetched = store.get_logged_model(model.model_id)
    assert fetched.tags == {".tmp-a": "1", ".tmp-b": "2"}
    assert fetched.params == {".tmp-p": "x"}
