"""The logged-model part of the tracking stores, on file, SQLite, PostgreSQL and MariaDB."""

import math
import re
import time

import pytest

from runtime.entities import LifecycleStage, Metric
from runtime.errors import InvalidParameter, InvalidState, NotFound
from runtime.registry_entities import LoggedModelStatus


@pytest.fixture
def experiment_id(tracking):
    return tracking.create_experiment("models-exp")


@pytest.fixture
def run_id(tracking, experiment_id):
    return tracking.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name="r").info.run_id


def _ids(page):
    return [m.model_id for m in page]


def test_create_and_get(tracking, experiment_id, run_id):
    model = tracking.create_logged_model(experiment_id, name="clf", source_run_id=run_id, tags={"t": "v"},
                                         params={"alpha": "0.5", "n": 3}, model_type="sklearn")
    assert re.fullmatch(r"m-[0-9a-f]{32}", model.model_id)
    assert model.status == LoggedModelStatus.PENDING
    assert model.experiment_id == experiment_id and model.name == "clf" and model.model_type == "sklearn"
    assert model.source_run_id == run_id and model.tags == {"t": "v"} and model.params == {"alpha": "0.5", "n": "3"}
    experiment = tracking.get_experiment(experiment_id)
    assert model.artifact_location == f"{experiment.artifact_location}/models/{model.model_id}/artifacts"
    assert model.creation_timestamp == model.last_updated_timestamp > 0
    assert tracking.get_logged_model(model.model_id) == model
    wire = model.to_dict()
    assert wire["info"]["status"] == "LOGGED_MODEL_PENDING" and wire["info"]["artifact_uri"] == model.artifact_location
    assert wire["data"]["params"] == [{"key": "alpha", "value": "0.5"}, {"key": "n", "value": "3"}]


def test_default_name_and_minimal_model(tracking, experiment_id):
    model = tracking.create_logged_model(experiment_id)
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{3}", model.name)
    assert model.source_run_id is None and model.tags == {} and model.params == {} and model.metrics == []
    assert model.to_dict()["info"]["model_type"] == ""


@pytest.mark.parametrize("name", ["", "my/model", "my.model", "my:model", "my%model", "my'model", 'my"model'])
def test_invalid_names(tracking, experiment_id, name):
    with pytest.raises(InvalidParameter, match="Invalid model name"):
        tracking.create_logged_model(experiment_id, name=name)


def test_experiment_must_exist_and_be_active(tracking, experiment_id):
    with pytest.raises(NotFound):
        tracking.create_logged_model("123456")
    tracking.delete_experiment(experiment_id)
    with pytest.raises(InvalidState, match="non-active experiment"):
        tracking.create_logged_model(experiment_id)


@pytest.mark.parametrize("model_id", ["m-" + "0" * 32, "1234"])
def test_missing_model(tracking, model_id):
    with pytest.raises(NotFound, match="not found"):
        tracking.get_logged_model(model_id)
    with pytest.raises(NotFound):
        tracking.finalize_logged_model(model_id, "READY")


@pytest.mark.parametrize("model_id", ["../m-x", "m-1/2", "m-..", "a\x00b"])
def test_path_like_ids_are_refused(tracking, model_id):
    with pytest.raises(InvalidParameter):
        tracking.get_logged_model(model_id)


def test_finalize(tracking, experiment_id):
    model = tracking.create_logged_model(experiment_id)
    time.sleep(0.002)
    ready = tracking.finalize_logged_model(model.model_id, "LOGGED_MODEL_READY")
    assert ready.status == "READY" and ready.last_updated_timestamp > model.last_updated_timestamp
    assert ready.creation_timestamp == model.creation_timestamp and ready.name == model.name
    assert tracking.finalize_logged_model(model.model_id, LoggedModelStatus.FAILED).status == "FAILED"
    assert tracking.get_logged_model(model.model_id).to_dict()["info"]["status"] == "LOGGED_MODEL_UPLOAD_FAILED"
    with pytest.raises(InvalidParameter):
        tracking.finalize_logged_model(model.model_id, "DONE")


def test_tags(tracking, experiment_id):
    model = tracking.create_logged_model(experiment_id)
    tracking.set_logged_model_tags(model.model_id, {"a": "1", "b": None, "c": 3})
    tracking.set_logged_model_tags(model.model_id, {"a": "2"})
    assert tracking.get_logged_model(model.model_id).tags == {"a": "2", "b": "", "c": "3"}
    tracking.delete_logged_model_tag(model.model_id, "a")
    assert tracking.get_logged_model(model.model_id).tags == {"b": "", "c": "3"}
    with pytest.raises(NotFound, match="No tag with key 'a'"):
        tracking.delete_logged_model_tag(model.model_id, "a")
    with pytest.raises(InvalidParameter):
        tracking.set_logged_model_tags(model.model_id, {"a!b": "x"})
    with pytest.raises(InvalidParameter):
        tracking.set_logged_model_tags(model.model_id, {"k": "x" * 8001})


def test_params_are_immutable(tracking, experiment_id):
    model = tracking.create_logged_model(experiment_id, params={"a": "1"})
    tracking.log_logged_model_params(model.model_id, {"a": "1", "b": "2"})
    assert tracking.get_logged_model(model.model_id).params == {"a": "1", "b": "2"}
    with pytest.raises(InvalidParameter, match="Changing param values is not allowed"):
        tracking.log_logged_model_params(model.model_id, {"a": "other"})
    with pytest.raises(InvalidParameter):
        tracking.log_logged_model_params(model.model_id, {"a" * 251: "x"})


def test_metrics_from_runs(tracking, experiment_id, run_id):
    model = tracking.create_logged_model(experiment_id, source_run_id=run_id)
    other = tracking.create_logged_model(experiment_id)
    tracking.record_logged_model_metrics(run_id, [
        Metric("acc", 0.5, 1000, 1, model_id=model.model_id, dataset_name="eval set", dataset_digest="d1"),
        Metric("acc", 0.7, 1001, 2, model_id=model.model_id),
        Metric("loss", float("nan"), 1002, 0, model_id=model.model_id),
        Metric("acc", 0.1, 1000, 0, model_id=other.model_id),
        Metric("run-only", 1.0, 1000, 0),
    ])
    metrics = tracking.get_logged_model(model.model_id).metrics
    by_key = {(m.key, m.step): m for m in metrics}
    assert set(by_key) == {("acc", 1), ("acc", 2), ("loss", 0)}
    assert by_key[("acc", 1)].dataset_name == "eval set" and by_key[("acc", 1)].dataset_digest == "d1"
    assert by_key[("acc", 1)].run_id == run_id and by_key[("acc", 1)].model_id == model.model_id
    assert math.isnan(by_key[("loss", 0)].value)
    assert [m.value for m in tracking.get_logged_model(other.model_id).metrics] == [0.1]
    with pytest.raises(NotFound):
        tracking.record_logged_model_metrics(run_id, [Metric("x", 1.0, 1, 0, model_id="m-" + "1" * 32)])


def test_search_filters(tracking, experiment_id, run_id):
    first = tracking.create_logged_model(experiment_id, name="first", source_run_id=run_id, model_type="sklearn",
                                         params={"p": "1"}, tags={"t": "x"})
    time.sleep(0.002)
    second = tracking.create_logged_model(experiment_id, name="second", model_type="torch")
    tracking.finalize_logged_model(second.model_id, "READY")
    other_experiment = tracking.create_experiment("elsewhere")
    third = tracking.create_logged_model(other_experiment, name="third")
    tracking.record_logged_model_metrics(run_id, [
        Metric("acc", 0.9, 10, 0, model_id=first.model_id, dataset_name="ds", dataset_digest="d"),
        Metric("acc", 0.4, 10, 0, model_id=second.model_id),
    ])
    search = lambda text=None, **kw: _ids(tracking.search_logged_models([experiment_id], text, **kw))  # noqa: E731
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
    both = tracking.search_logged_models([experiment_id, other_experiment, "999999"])
    assert _ids(both) == [third.model_id, second.model_id, first.model_id]
    assert _ids(tracking.search_logged_models([])) == []
    with pytest.raises(InvalidParameter):
        tracking.search_logged_models([experiment_id], "artifact_location = 'x'")
    with pytest.raises(InvalidParameter, match="dataset_name"):
        tracking.search_logged_models([experiment_id], datasets=[{}])


def test_search_order_and_pages(tracking, experiment_id, run_id):
    models = []
    for index, value in enumerate([0.3, 0.9, None, 0.5]):
        model = tracking.create_logged_model(experiment_id, name=f"m{index}")
        if value is not None:
            tracking.record_logged_model_metrics(run_id, [Metric("acc", value, 1, 0, model_id=model.model_id)])
        models.append(model)
        time.sleep(0.002)
    ids = [m.model_id for m in models]
    order = lambda *clauses: _ids(tracking.search_logged_models([experiment_id], order_by=list(clauses)))  # noqa: E731
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
    first = tracking.search_logged_models([experiment_id], max_results=3)
    assert len(first) == 3 and first.token
    rest = tracking.search_logged_models([experiment_id], max_results=3, page_token=first.token)
    assert _ids(first) + _ids(rest) == ids[::-1] and rest.token is None


def test_delete_and_gc(tracking, experiment_id, run_id):
    model = tracking.create_logged_model(experiment_id, source_run_id=run_id, params={"a": "1"}, tags={"t": "v"})
    tracking.record_logged_model_metrics(run_id, [Metric("acc", 1.0, 1, 0, model_id=model.model_id)])
    kept = tracking.create_logged_model(experiment_id)
    tracking.delete_logged_model(model.model_id)
    with pytest.raises(NotFound):
        tracking.get_logged_model(model.model_id)
    with pytest.raises(NotFound):
        tracking.set_logged_model_tags(model.model_id, {"x": "y"})
    assert _ids(tracking.search_logged_models([experiment_id])) == [kept.model_id]
    deleted = tracking.get_logged_model(model.model_id, allow_deleted=True)
    assert deleted.lifecycle_stage == LifecycleStage.DELETED
    assert tracking.get_deleted_logged_models() == [model.model_id]
    assert tracking.get_deleted_logged_models(older_than_ms=3_600_000) == []
    tracking.hard_delete_logged_model(model.model_id)
    with pytest.raises(NotFound):
        tracking.get_logged_model(model.model_id, allow_deleted=True)
    assert tracking.get_deleted_logged_models() == []
    assert tracking.get_logged_model(kept.model_id).model_id == kept.model_id


def test_hard_deleting_the_experiment_removes_its_models(tracking, experiment_id, run_id):
    model = tracking.create_logged_model(experiment_id, source_run_id=run_id, params={"a": "1"}, tags={"t": "v"})
    tracking.record_logged_model_metrics(run_id, [Metric("acc", 1.0, 1, 0, model_id=model.model_id)])
    tracking.delete_experiment(experiment_id)
    tracking.hard_delete_experiment(experiment_id)
    with pytest.raises(NotFound):
        tracking.get_logged_model(model.model_id, allow_deleted=True)


def test_run_metrics_naming_a_model_reach_it_through_log_batch(tracking, experiment_id, run_id):
    """The tracking store's log_batch hands metrics with a model_id to record_logged_model_metrics."""
    model = tracking.create_logged_model(experiment_id, source_run_id=run_id)
    tracking.log_batch(run_id, metrics=[Metric("acc", 0.75, 5, 2, model_id=model.model_id),
                                        Metric("plain", 1.0, 5, 0)])
    assert [(m.key, m.value, m.step, m.run_id) for m in tracking.get_logged_model(model.model_id).metrics] == [
        ("acc", 0.75, 2, run_id)]
    assert set(tracking.get_run(run_id).metrics) == {"acc", "plain"}
