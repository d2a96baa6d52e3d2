"""Every SqlStore method on SQLite, PostgreSQL and MariaDB, beyond the shared contract suite."""

import math

import pytest
import sqlalchemy

from runtime.entities import Dataset, DatasetInput, LifecycleStage, Metric, Param, RunStatus, RunTag, ViewType
from runtime.errors import AlreadyExists, InvalidParameter, InvalidState, MlfError, NotFound
from runtime.store.sql.engine import create_engine
from tests.sql_store.conftest import open_store


def _count(db_uri, table, where="1=1"):
    engine = create_engine(db_uri)
    try:
        with engine.connect() as connection:
            return connection.execute(sqlalchemy.text(f"SELECT COUNT(*) FROM {table} WHERE {where}")).scalar()
    finally:
        engine.dispose()


@pytest.fixture
def experiment_id(store):
    return store.create_experiment("methods")


@pytest.fixture
def run_id(store, experiment_id):
    return store.create_run(experiment_id, user_id="ann", start_time=1000, tags={}, run_name="run").info.run_id


# ---- experiments --------------------------------------------------------------------


def test_default_experiment_artifact_location_and_reopen(store, db_uri, tmp_path):
    default = store.get_experiment("0")
    assert default.artifact_location == (tmp_path / "artifacts").as_uri() + "/0"
    again = open_store(db_uri, tmp_path)  # a second open must not create another default
    assert [e.experiment_id for e in again.search_experiments()] == ["0"]


def test_create_experiment_ids_locations_and_tags(store, tmp_path):
    first = store.create_experiment("one", tags=[RunTag("a", "1"), RunTag("b", "")])
    second = store.create_experiment("two")
    assert int(second) == int(first) + 1
    experiment = store.get_experiment(first)
    assert experiment.tags == {"a": "1", "b": ""}
    assert experiment.artifact_location == f"{(tmp_path / 'artifacts').as_uri()}/{first}"
    assert experiment.creation_time == experiment.last_update_time


def test_experiment_names_are_exact(store):
    """Names differing only in case or trailing space are different experiments (MySQL too)."""
    ids = {name: store.create_experiment(name) for name in ("Case", "case", "case ", "é")}
    assert len(set(ids.values())) == 4
    for name, experiment_id in ids.items():
        assert store.get_experiment_by_name(name).experiment_id == experiment_id
    with pytest.raises(AlreadyExists, match=r"Experiment\(name=case\) already exists"):
        store.create_experiment("case")


def test_relative_artifact_location_is_made_absolute(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    experiment_id = store.create_experiment("rel", artifact_location="some/dir")
    assert store.get_experiment(experiment_id).artifact_location == str(tmp_path / "some" / "dir")


@pytest.mark.parametrize("bad_id", ["abc", "-1", "99999999999999999999", "1.5"])
def test_get_experiment_with_ids_that_name_nothing(store, bad_id):
    with pytest.raises((NotFound, InvalidParameter)):
        store.get_experiment(bad_id)


def test_experiment_tag_errors(store, experiment_id):
    with pytest.raises(NotFound, match="No tag with name: nope"):
        store.delete_experiment_tag(experiment_id, "nope")
    with pytest.raises(InvalidParameter):
        store.set_experiment_tag(experiment_id, "k", "x" * 5001)
    store.set_experiment_tag(experiment_id, "k", "v")
    store.set_experiment_tag(experiment_id, "k", "w")
    assert store.get_experiment(experiment_id).tags == {"k": "w"}
    store.delete_experiment(experiment_id)
    with pytest.raises(InvalidState):
        store.set_experiment_tag(experiment_id, "k", "z")
    with pytest.raises(NotFound):
        store.set_experiment_tag("424242", "k", "z")


def test_delete_restore_experiment_errors_and_times(store, experiment_id):
    with pytest.raises(InvalidState):
        store.restore_experiment(experiment_id)
    store.delete_experiment(experiment_id)
    with pytest.raises(InvalidState):
        store.delete_experiment(experiment_id)
    with pytest.raises(NotFound):
        store.delete_experiment("424242")
    with pytest.raises(NotFound):
        store.restore_experiment("424242")
    deleted = store.get_experiment(experiment_id)
    assert deleted.lifecycle_stage == LifecycleStage.DELETED
    store.restore_experiment(experiment_id)
    assert store.get_experiment(experiment_id).last_update_time >= deleted.last_update_time


def test_restore_experiment_brings_back_only_runs_deleted_with_it(store, experiment_id):
    kept_deleted = store.create_run(experiment_id, "u", 1, {}, "early").info.run_id
    cascaded = store.create_run(experiment_id, "u", 2, {}, "late").info.run_id
    store.delete_run(kept_deleted)
    store.delete_experiment(experiment_id)
    assert store.get_run(cascaded).info.lifecycle_stage == LifecycleStage.DELETED
    store.restore_experiment(experiment_id)
    assert store.get_run(cascaded).info.lifecycle_stage == LifecycleStage.ACTIVE
    assert store.get_run(kept_deleted).info.lifecycle_stage == LifecycleStage.DELETED


def test_rename_to_same_name_and_missing(store, experiment_id):
    store.rename_experiment(experiment_id, "methods")
    with pytest.raises(NotFound):
        store.rename_experiment("424242", "x")
    with pytest.raises(InvalidParameter):
        store.rename_experiment(experiment_id, "")


def test_search_experiments_bounds_and_view_names(store):
    with pytest.raises(InvalidParameter):
        store.search_experiments(max_results=0)
    with pytest.raises(InvalidParameter):
        store.search_experiments(max_results=50001)
    assert [e.name for e in store.search_experiments("all")] == ["Default"]
    assert store.search_experiments(ViewType.ACTIVE_ONLY, max_results=None)[0].name == "Default"


# ---- runs -------------------------------------------------------------------------


def test_create_run_fields(store, experiment_id):
    run = store.create_run(experiment_id, user_id=None, start_time=None, tags={"x": "y"}, run_name=None)
    info = store.get_run(run.info.run_id).info
    assert info.user_id == "" and info.status == RunStatus.RUNNING and info.end_time is None
    assert info.start_time > 1_600_000_000_000
    assert info.experiment_id == experiment_id
    assert run.tags == {"x": "y", "mlflow.runName": info.run_name}
    adjective, noun, digits = info.run_name.split("-")
    assert adjective.isalpha() and noun.isalpha() and len(digits) == 3 and digits.isdigit()


def test_create_run_refusals(store, experiment_id):
    with pytest.raises(NotFound):
        store.create_run("424242", "u", 1, {}, "r")
    with pytest.raises(InvalidParameter, match="different values"):
        store.create_run(experiment_id, "u", 1, {"mlflow.runName": "a"}, "b")
    with pytest.raises(InvalidParameter):
        store.create_run(experiment_id, "u", 1, {}, "x" * 251)


def test_update_run_info_partial_and_refusals(store, run_id):
    info = store.update_run_info(run_id, status=RunStatus.KILLED)
    assert info.status == RunStatus.KILLED and info.end_time is None and info.run_name == "run"
    with pytest.raises(InvalidParameter):
        store.update_run_info(run_id, status="DONE")
    with pytest.raises(NotFound):
        store.update_run_info("f" * 32, status=RunStatus.FINISHED)
    store.delete_run(run_id)
    with pytest.raises(InvalidState):
        store.update_run_info(run_id, status=RunStatus.FINISHED)


def test_run_name_tag_renames_the_run(store, run_id):
    store.set_tag(run_id, RunTag("mlflow.runName", "renamed"))
    assert store.get_run(run_id).info.run_name == "renamed"
    assert [r.info.run_id for r in store.search_runs([store.get_run(run_id).info.experiment_id],
                                                      "attributes.run_name = 'renamed'")] == [run_id]


def test_set_and_delete_run_tags(store, run_id):
    store.set_tag(run_id, RunTag("k", "v"))
    store.log_batch(run_id, tags=[RunTag("k", "w"), RunTag("k", "x")])  # the last value of a key wins
    assert store.get_run(run_id).tags["k"] == "x"
    store.delete_tag(run_id, "k")
    assert "k" not in store.get_run(run_id).tags
    with pytest.raises(NotFound, match="No tag with name: k"):
        store.delete_tag(run_id, "k")
    with pytest.raises(InvalidParameter):
        store.delete_tag(run_id, "../k")


def test_delete_restore_run_and_deleted_time(store, run_id, db_uri):
    store.delete_run(run_id)
    store.delete_run(run_id)  # deleting again keeps it deleted
    assert _count(db_uri, "runs", f"run_uuid = '{run_id}' AND deleted_time IS NOT NULL") == 1
    assert store.get_deleted_runs(older_than_ms=10_000_000) == []
    assert store.get_deleted_runs(older_than_ms=0) == [run_id]
    store.restore_run(run_id)
    assert _count(db_uri, "runs", f"run_uuid = '{run_id}' AND deleted_time IS NULL") == 1
    with pytest.raises(NotFound):
        store.delete_run("f" * 32)
    with pytest.raises(InvalidParameter):
        store.get_run("../etc")


def test_get_deleted_experiments_older_than(store, experiment_id):
    store.delete_experiment(experiment_id)
    assert store.get_deleted_experiments() == [experiment_id]
    assert store.get_deleted_experiments(older_than_ms=0) == [experiment_id]
    assert store.get_deleted_experiments(older_than_ms=10_000_000) == []


# ---- log_batch --------------------------------------------------------------------


def test_latest_metric_prefers_step_then_timestamp_then_value(store, run_id):
    store.log_batch(run_id, metrics=[Metric("m", 5.0, 100, 1), Metric("m", 1.0, 50, 2)])
    assert store.get_run(run_id).metrics["m"].value == 1.0  # higher step wins over later timestamp
    store.log_metric(run_id, Metric("m", 0.5, 60, 2))
    assert store.get_run(run_id).metrics["m"].value == 0.5  # same step, later timestamp
    store.log_metric(run_id, Metric("m", 0.7, 60, 2))
    assert store.get_run(run_id).metrics["m"].value == 0.7  # same step and time, greater value
    store.log_metric(run_id, Metric("m", 9.0, 1, 0))
    latest = store.get_run(run_id).metrics["m"]
    assert (latest.value, latest.timestamp, latest.step) == (0.7, 60, 2)  # older point does not win


def test_nan_and_infinities_round_trip(store, run_id):
    store.log_batch(
        run_id,
        metrics=[Metric("nan", float("nan"), 1, 0), Metric("pinf", float("inf"), 1, 0), Metric("ninf", float("-inf"), 1, 0)],
    )
    run = store.get_run(run_id)
    assert math.isnan(run.metrics["nan"].value)
    assert run.metrics["pinf"].value == math.inf and run.metrics["ninf"].value == -math.inf
    assert math.isnan(store.get_metric_history(run_id, "nan")[0].value)
    assert [m.value for m in store.get_metric_history(run_id, "pinf")] == [math.inf]


def test_nan_is_not_preferred_over_a_value_at_the_same_point(store, run_id):
    store.log_batch(run_id, metrics=[Metric("m", 3.0, 10, 1), Metric("m", float("nan"), 10, 1)])
    assert store.get_run(run_id).metrics["m"].value == 3.0
    history = store.get_metric_history(run_id, "m")
    assert math.isnan(history[0].value) and history[1].value == 3.0


def test_identical_points_are_stored_once(store, run_id, db_uri):
    store.log_batch(run_id, metrics=[Metric("m", 1.0, 1, 0), Metric("m", 1.0, 1, 0)])
    store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    assert len(store.get_metric_history(run_id, "m")) == 1
    assert _count(db_uri, "metrics") == 1


def test_param_immutability_message_and_batch_duplicates(store, run_id):
    store.log_batch(run_id, params=[Param("p", "1"), Param("p", "1")])
    with pytest.raises(InvalidParameter) as excinfo:
        store.log_batch(run_id, params=[Param("q", "new"), Param("p", "2")])
    assert excinfo.value.message == (
        f"Changing param values is not allowed. Param with key='p' was already logged with value='1' "
        f"for run ID='{run_id}'. Attempted logging new value '2'."
    )
    assert store.get_run(run_id).params == {"p": "1"}  # the whole batch was rolled back
    with pytest.raises(InvalidParameter, match="Duplicate parameter keys"):
        store.log_batch(run_id, params=[Param("r", "1"), Param("r", "2")])


def test_failed_batch_writes_nothing(store, run_id, db_uri):
    with pytest.raises(InvalidParameter):
        store.log_batch(run_id, metrics=[Metric("ok", 1.0, 1, 0)], params=[Param("p", "x" * 6001)])
    with pytest.raises(InvalidParameter):
        store.log_batch(run_id, metrics=[Metric("ok", "not a number", 1, 0)])
    assert _count(db_uri, "metrics") == 0 and _count(db_uri, "latest_metrics") == 0


def test_batch_limits_per_kind(store, run_id):
    with pytest.raises(InvalidParameter):
        store.log_batch(run_id, params=[Param(f"p{i}", "v") for i in range(101)])
    with pytest.raises(InvalidParameter):
        store.log_batch(run_id, tags=[RunTag(f"t{i}", "v") for i in range(101)])
    store.log_batch(run_id, params=[Param(f"p{i}", "v") for i in range(100)], tags=[RunTag(f"t{i}", "v") for i in range(100)])
    run = store.get_run(run_id)
    assert len(run.params) == 100 and len(run.tags) == 101


def test_batch_of_1000_metrics_in_one_call(store, run_id, db_uri):
    metrics = [Metric(f"k{i % 10}", float(i), 1000 + i, i // 10) for i in range(1000)]
    store.log_batch(run_id, metrics=metrics)
    run = store.get_run(run_id)
    assert len(run.metrics) == 10
    assert run.metrics["k3"].value == 993.0 and run.metrics["k3"].step == 99
    assert _count(db_uri, "metrics") == 1000
    assert len(store.get_metric_history(run_id, "k7")) == 100


def test_unicode_values_round_trip(store, run_id):
    store.log_batch(run_id, params=[Param("emoji", "🎉 naïve 中文")], tags=[RunTag("t", "ß" * 8000)])
    run = store.get_run(run_id)
    assert run.params["emoji"] == "🎉 naïve 中文" and run.tags["t"] == "ß" * 8000


def test_writes_to_missing_or_deleted_runs(store, run_id):
    with pytest.raises(NotFound):
        store.log_batch("f" * 32, metrics=[Metric("m", 1.0, 1, 0)])
    store.delete_run(run_id)
    with pytest.raises(InvalidState, match=f"The run {run_id} must be in the 'active' state. Current state is deleted."):
        store.log_param(run_id, Param("p", "1"))
    with pytest.raises(InvalidState):
        store.delete_tag(run_id, "mlflow.runName")
    with pytest.raises(InvalidState):
        store.log_inputs(run_id, models=[{"model_id": "m-1"}])


def test_metric_history_errors_and_paging(store, run_id):
    with pytest.raises(NotFound):
        store.get_metric_history("f" * 32, "m")
    assert list(store.get_metric_history(run_id, "none")) == []
    store.log_batch(run_id, metrics=[Metric("m", float(i), 10 - i, i % 3) for i in range(9)])
    pages, token = [], None
    while True:
        page = store.get_metric_history(run_id, "m", max_results=4, page_token=token)
        pages.append([(m.step, m.timestamp) for m in page])
        token = page.token
        if not token:
            break
    flat = [point for page in pages for point in page]
    assert flat == sorted(flat) and len(flat) == 9 and [len(p) for p in pages] == [4, 4, 1]
    with pytest.raises(InvalidParameter):
        store.get_metric_history(run_id, "m", page_token="garbage")


# ---- inputs and outputs -----------------------------------------------------------


def _dataset(name="train", digest="d1", schema=None):
    return Dataset(name, digest, "local", '{"uri": "/data"}', schema, '{"rows": 3}')


def test_dataset_inputs_are_shared_within_an_experiment(store, experiment_id, run_id, db_uri):
    other = store.create_run(experiment_id, "u", 2, {}, "other").info.run_id
    tagged = DatasetInput(_dataset(schema='{"c": 1}'), {"mlflow.data.context": "training"})
    store.log_inputs(run_id, datasets=[tagged, DatasetInput(_dataset("eval", "d2"), {})])
    store.log_inputs(run_id, datasets=[tagged])  # already linked: nothing new
    store.log_inputs(other, datasets=[DatasetInput(_dataset(), {"mlflow.data.context": "eval"})])
    assert _count(db_uri, "datasets") == 2
    assert _count(db_uri, "inputs") == 3
    run = store.get_run(run_id)
    assert [(d.dataset.name, d.tags) for d in run.dataset_inputs] == [
        ("eval", {}),
        ("train", {"mlflow.data.context": "training"}),
    ]
    assert run.dataset_inputs[1].dataset.to_dict() == _dataset(schema='{"c": 1}').to_dict()
    assert store.get_run(other).dataset_inputs[0].tags == {"mlflow.data.context": "eval"}


def test_dataset_input_limits(store, run_id):
    with pytest.raises(InvalidParameter):
        store.log_inputs(run_id, datasets=[DatasetInput(_dataset(digest="x" * 37), {})])
    with pytest.raises(InvalidParameter):
        store.log_inputs(run_id, datasets=[DatasetInput(_dataset(), {"k": "v" * 501})])
    with pytest.raises(InvalidParameter):
        store.log_inputs(run_id, models=[{"model_id": "../x"}])


def test_model_inputs_and_outputs(store, run_id):
    store.log_inputs(run_id, models=[{"model_id": "m-in"}, {"model_id": "m-in"}])
    store.log_outputs(run_id, [{"model_id": "m-b", "step": 3}, {"model_id": "m-a", "step": 1}])
    store.log_outputs(run_id, [{"model_id": "m-a", "step": 1}])
    run = store.get_run(run_id)
    assert run.model_inputs == [{"model_id": "m-in"}]
    assert run.model_outputs == [{"model_id": "m-a", "step": 1}, {"model_id": "m-b", "step": 3}]
    assert run.to_dict()["outputs"] == {"model_outputs": run.model_outputs}


# ---- hard deletes -----------------------------------------------------------------


def _populate(store, run_id):
    store.log_batch(run_id, metrics=[Metric("m", 1.0, 1, 0)], params=[Param("p", "1")], tags=[RunTag("t", "1")])
    store.log_inputs(run_id, datasets=[DatasetInput(_dataset(), {"mlflow.data.context": "x"})], models=[{"model_id": "m-1"}])
    store.log_outputs(run_id, [{"model_id": "m-2", "step": 0}])


def test_hard_delete_run_removes_every_row(store, experiment_id, run_id, db_uri):
    survivor = store.create_run(experiment_id, "u", 2, {}, "keep").info.run_id
    _populate(store, run_id)
    _populate(store, survivor)
    store.hard_delete_run(run_id)
    for table in ("metrics", "latest_metrics", "params", "tags"):
        assert _count(db_uri, table, f"run_uuid = '{run_id}'") == 0
        assert _count(db_uri, table, f"run_uuid = '{survivor}'") >= 1
    assert _count(db_uri, "inputs", f"destination_id = '{run_id}' OR source_id = '{run_id}'") == 0
    assert _count(db_uri, "inputs") == 3 and _count(db_uri, "input_tags") == 1
    assert _count(db_uri, "datasets") == 1  # datasets belong to the experiment
    with pytest.raises(NotFound):
        store.hard_delete_run(run_id)


def test_hard_delete_experiment_removes_every_row(store, experiment_id, run_id, db_uri):
    other_experiment = store.create_experiment("other", tags={"k": "v"})
    other_run = store.create_run(other_experiment, "u", 1, {}, "o").info.run_id
    _populate(store, run_id)
    _populate(store, other_run)
    store.set_experiment_tag(experiment_id, "k", "v")
    store.delete_experiment(experiment_id)
    store.hard_delete_experiment(experiment_id)
    with pytest.raises(NotFound):
        store.get_experiment(experiment_id)
    assert _count(db_uri, "runs") == 1 and _count(db_uri, "datasets") == 1
    assert _count(db_uri, "experiment_tags") == 1 and _count(db_uri, "inputs") == 3
    assert store.get_run(other_run).params == {"p": "1"}
    # The id is never handed out again, so a new experiment cannot inherit its artifact folder.
    assert int(store.create_experiment("next")) > int(other_experiment)


def test_close_then_reopen(store, db_uri, tmp_path, experiment_id):
    store.close()
    assert open_store(db_uri, tmp_path).get_experiment(experiment_id).name == "methods"


def test_database_errors_become_mlf_errors(tmp_path):
    with pytest.raises(MlfError):
        open_store(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}", tmp_path)


# ---- logged models share the database -------------------------------------------------


def test_metrics_naming_a_logged_model_reach_the_model(store, experiment_id, run_id):
    model = store.create_logged_model(experiment_id, name="mm", source_run_id=run_id)
    store.log_batch(run_id, metrics=[Metric("acc", 0.5, 1, 0, model_id=model.model_id, dataset_name="ds")])
    [model_metric] = store.get_logged_model(model.model_id).metrics
    assert (model_metric.key, model_metric.value, model_metric.dataset_name) == ("acc", 0.5, "ds")
    assert store.get_run(run_id).metrics["acc"].value == 0.5


def test_hard_delete_experiment_with_logged_models(store, experiment_id, run_id, db_uri):
    model = store.create_logged_model(experiment_id, name="mm", source_run_id=run_id)
    store.log_batch(run_id, metrics=[Metric("acc", 0.5, 1, 0, model_id=model.model_id)])
    store.delete_experiment(experiment_id)
    store.hard_delete_experiment(experiment_id)
    assert _count(db_uri, "logged_models") == 0 and _count(db_uri, "runs") == 0
