import math

import pytest

from runtime.entities import LifecycleStage, Metric, Param, RunStatus, RunTag, ViewType
from runtime.errors import InvalidParameter, InvalidState, MlfError, NotFound


@pytest.fixture
def experiment_id(store):
    return store.create_experiment("runs-exp")


def _run(store, experiment_id, name="r", start=1000, tags=None):
    return store.create_run(experiment_id, user_id="alice", start_time=start, tags=tags or {}, run_name=name)


def test_create_and_get(store, experiment_id):
    run = _run(store, experiment_id, tags={"a": "1"})
    fetched = store.get_run(run.info.run_id)
    assert len(run.info.run_id) == 32
    assert fetched.info.status == RunStatus.RUNNING
    assert fetched.info.run_name == "r"
    assert fetched.tags["mlflow.runName"] == "r"
    assert fetched.tags["a"] == "1"
    assert fetched.info.user_id == "alice"
    assert fetched.info.artifact_uri.endswith(f"{run.info.run_id}/artifacts")
    assert fetched.info.lifecycle_stage == LifecycleStage.ACTIVE


def test_generated_run_name(store, experiment_id):
    run = store.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name=None)
    assert run.info.run_name and run.tags["mlflow.runName"] == run.info.run_name


def test_run_name_from_tag(store, experiment_id):
    run = store.create_run(experiment_id, user_id="u", start_time=1, tags={"mlflow.runName": "tagged"}, run_name=None)
    assert store.get_run(run.info.run_id).info.run_name == "tagged"


def test_missing_run(store):
    with pytest.raises(NotFound):
        store.get_run("0" * 32)


def test_update_run_info(store, experiment_id):
    run = _run(store, experiment_id)
    info = store.update_run_info(run.info.run_id, status=RunStatus.FINISHED, end_time=2000, run_name="renamed")
    assert info.status == RunStatus.FINISHED and info.end_time == 2000
    fetched = store.get_run(run.info.run_id)
    assert fetched.info.run_name == "renamed" and fetched.tags["mlflow.runName"] == "renamed"


def test_log_batch_and_latest_metric(store, experiment_id):
    run_id = _run(store, experiment_id).info.run_id
    store.log_batch(
        run_id,
        metrics=[Metric("loss", 3.0, 10, 0), Metric("loss", 1.0, 30, 2), Metric("loss", 2.0, 20, 1),
                 Metric("acc", float("nan"), 5, 0)],
        params=[Param("lr", "0.01")],
        tags=[RunTag("t", "x")],
    )
    run = store.get_run(run_id)
    assert run.metrics["loss"].value == 1.0 and run.metrics["loss"].step == 2
    assert math.isnan(run.metrics["acc"].value)
    assert run.params == {"lr": "0.01"}
    assert run.tags["t"] == "x"
    history = store.get_metric_history(run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 3.0), (1, 2.0), (2, 1.0)]


def test_metric_history_paging(store, experiment_id):
    run_id = _run(store, experiment_id).info.run_id
    store.log_batch(run_id, metrics=[Metric("m", float(i), i, i) for i in range(25)])
    first = store.get_metric_history(run_id, "m", max_results=10)
    assert len(first) == 10 and first.token
    rest = store.get_metric_history(run_id, "m", max_results=100, page_token=first.token)
    assert [m.step for m in first] + [m.step for m in rest] == list(range(25))


def test_params_are_immutable(store, experiment_id):
    run_id = _run(store, experiment_id).info.run_id
    store.log_param(run_id, Param("p", "1"))
    store.log_param(run_id, Param("p", "1"))
    with pytest.raises(InvalidParameter):
        store.log_param(run_id, Param("p", "2"))
    assert store.get_run(run_id).params == {"p": "1"}


def test_tags_set_and_delete(store, experiment_id):
    run_id = _run(store, experiment_id).info.run_id
    store.set_tag(run_id, RunTag("k", "v"))
    store.set_tag(run_id, RunTag("k", "w"))
    assert store.get_run(run_id).tags["k"] == "w"
    store.delete_tag(run_id, "k")
    assert "k" not in store.get_run(run_id).tags
    with pytest.raises(NotFound):
        store.delete_tag(run_id, "k")


@pytest.mark.parametrize("key", ["../escape", "/abs", "a/../../b", "bad\x00key", "x" * 251])
def test_bad_keys_write_nothing(store, experiment_id, key):
    run_id = _run(store, experiment_id).info.run_id
    with pytest.raises(InvalidParameter):
        store.log_batch(run_id, metrics=[Metric(key, 1.0, 1, 0)])
    with pytest.raises(InvalidParameter):
        store.log_param(run_id, Param(key, "v"))
    run = store.get_run(run_id)
    assert run.metrics == {} and run.params == {}


def test_over_long_values_are_refused(store, experiment_id):
    run_id = _run(store, experiment_id).info.run_id
    with pytest.raises(InvalidParameter):
        store.log_param(run_id, Param("p", "x" * 6001))
    with pytest.raises(InvalidParameter):
        store.set_tag(run_id, RunTag("t", "x" * 8001))
    store.log_param(run_id, Param("p", "x" * 6000))
    assert len(store.get_run(run_id).params["p"]) == 6000


def test_batch_limits(store, experiment_id):
    run_id = _run(store, experiment_id).info.run_id
    store.log_batch(run_id, metrics=[Metric("m", float(i), i, i) for i in range(1000)])
    assert len(store.get_metric_history(run_id, "m")) == 1000
    with pytest.raises(InvalidParameter):
        store.log_batch(run_id, metrics=[Metric("n", 1.0, i, i) for i in range(1001)])
    assert len(store.get_metric_history(run_id, "n")) == 0


def test_delete_restore_run(store, backend, experiment_id):
    # The REST API has no permanent deletion, so a REST store cannot list deleted runs for gc.
    gc_listing = backend != "rest"
    run_id = _run(store, experiment_id).info.run_id
    store.delete_run(run_id)
    assert store.get_run(run_id).info.lifecycle_stage == LifecycleStage.DELETED
    with pytest.raises(InvalidState, match="must be in the 'active' state"):
        store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    if gc_listing:
        assert run_id in store.get_deleted_runs()
    store.restore_run(run_id)
    assert store.get_run(run_id).info.lifecycle_stage == LifecycleStage.ACTIVE
    if gc_listing:
        assert run_id not in store.get_deleted_runs()


@pytest.mark.not_on("file", "sqlite", "postgresql", "mysql", reason="only the REST API lacks permanent deletion")
@pytest.mark.parametrize("call", ["get_deleted_runs", "get_deleted_experiments", "hard_delete_run",
                                  "hard_delete_experiment"])
def test_permanent_deletion_over_rest_points_to_gc(store, call):
    with pytest.raises(MlfError, match="mlf gc"):
        getattr(store, call)("0") if call.startswith("hard") else getattr(store, call)()


@pytest.mark.not_on("rest", reason="the REST API has no permanent deletion (the test above checks the refusal)")
def test_hard_delete(store, experiment_id):
    run_id = _run(store, experiment_id).info.run_id
    store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    store.delete_run(run_id)
    store.hard_delete_run(run_id)
    with pytest.raises(NotFound):
        store.get_run(run_id)
    other = store.create_experiment("doomed")
    inner = _run(store, other).info.run_id
    store.delete_experiment(other)
    assert other in store.get_deleted_experiments()
    store.hard_delete_experiment(other)
    with pytest.raises(NotFound):
        store.get_experiment(other)
    with pytest.raises(NotFound):
        store.get_run(inner)
    assert store.get_experiment_by_name("doomed") is None


def test_search_runs_views(store, experiment_id):
    a = _run(store, experiment_id, "a", start=1).info.run_id
    b = _run(store, experiment_id, "b", start=2).info.run_id
    store.delete_run(a)
    assert [r.info.run_id for r in store.search_runs([experiment_id])] == [b]
    assert [r.info.run_id for r in store.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)] == [a]
    assert [r.info.run_id for r in store.search_runs([experiment_id], run_view_type=ViewType.ALL)] == [b, a]


def test_list_run_infos_matches_search_runs(store, experiment_id):
    ids = [_run(store, experiment_id, f"r{i}", start=start).info.run_id for i, start in enumerate([5, 9, 9, 1])]
    store.delete_run(ids[3])
    store.update_run_info(ids[0], status="FINISHED", end_time=7)
    for view in (ViewType.ACTIVE_ONLY, ViewType.DELETED_ONLY, ViewType.ALL):
        listed = store.list_run_infos(experiment_id, view)
        searched = [run.info for run in store.search_runs([experiment_id], run_view_type=view)]
        assert [info.to_dict() for info in listed] == [info.to_dict() for info in searched]
    names = [info.run_name for info in store.list_run_infos(experiment_id, ViewType.ALL)]
    tied = sorted([(ids[1], "r1"), (ids[2], "r2")])  # same start time: run_id ascending
    assert names == [tied[0][1], tied[1][1], "r0", "r3"]
    assert store.list_run_infos(experiment_id, ViewType.ACTIVE_ONLY)[2].status == "FINISHED"


def test_inputs_and_outputs(store, experiment_id):
    from runtime.entities import Dataset, DatasetInput

    run_id = _run(store, experiment_id).info.run_id
    dataset = Dataset("train", "abc123", "local", '{"uri": "/data"}', '{"cols": []}', None)
    store.log_inputs(run_id, datasets=[DatasetInput(dataset, {"mlflow.data.context": "training"})])
    run = store.get_run(run_id)
    assert [d.dataset.name for d in run.dataset_inputs] == ["train"]
    assert run.dataset_inputs[0].tags == {"mlflow.data.context": "training"}
