import pytest

from runtime.entities import LifecycleStage, ViewType
from runtime.errors import AlreadyExists, InvalidParameter, InvalidState, MlfError, NotFound


def test_default_experiment_exists(store):
    default = store.get_experiment("0")
    assert default.name == "Default"
    assert default.lifecycle_stage == LifecycleStage.ACTIVE
    assert store.get_experiment_by_name("Default").experiment_id == "0"


def test_create_get_and_tags(store):
    experiment_id = store.create_experiment("alpha", tags={"team": "fraud"})
    experiment = store.get_experiment(experiment_id)
    assert experiment.name == "alpha"
    assert experiment.tags == {"team": "fraud"}
    assert experiment.artifact_location.endswith(experiment_id)
    assert experiment.creation_time and experiment.last_update_time
    store.set_experiment_tag(experiment_id, "stage", "dev")
    store.delete_experiment_tag(experiment_id, "team")
    assert store.get_experiment(experiment_id).tags == {"stage": "dev"}


def test_explicit_artifact_location_is_kept(store, local_artifact_dir):
    location = (local_artifact_dir / "elsewhere").as_uri()
    experiment_id = store.create_experiment("beta", artifact_location=location)
    assert store.get_experiment(experiment_id).artifact_location == location


def test_duplicate_name_is_refused(store):
    store.create_experiment("dup")
    with pytest.raises(AlreadyExists):
        store.create_experiment("dup")


def test_missing_experiment(store):
    with pytest.raises(NotFound):
        store.get_experiment("987654321")
    assert store.get_experiment_by_name("nope") is None


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 501, "bad\x00name"])
def test_invalid_names_are_refused(store, name):
    with pytest.raises(InvalidParameter):
        store.create_experiment(name)


def test_delete_restore_cascades_to_runs(store):
    experiment_id = store.create_experiment("gamma")
    run = store.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name="r1")
    store.delete_experiment(experiment_id)
    assert store.get_experiment(experiment_id).lifecycle_stage == LifecycleStage.DELETED
    assert store.get_run(run.info.run_id).info.lifecycle_stage == LifecycleStage.DELETED
    assert store.get_experiment_by_name("gamma").experiment_id == experiment_id
    with pytest.raises(MlfError):
        store.delete_experiment(experiment_id)
    with pytest.raises(InvalidState):
        store.create_run(experiment_id, user_id="u", start_time=2, tags={}, run_name="r2")
    store.restore_experiment(experiment_id)
    assert store.get_experiment(experiment_id).lifecycle_stage == LifecycleStage.ACTIVE
    assert store.get_run(run.info.run_id).info.lifecycle_stage == LifecycleStage.ACTIVE


def test_rename(store):
    experiment_id = store.create_experiment("old")
    store.create_experiment("taken")
    store.rename_experiment(experiment_id, "new")
    assert store.get_experiment(experiment_id).name == "new"
    assert store.get_experiment_by_name("old") is None
    with pytest.raises(AlreadyExists):
        store.rename_experiment(experiment_id, "taken")
    store.delete_experiment(experiment_id)
    with pytest.raises(InvalidState):
        store.rename_experiment(experiment_id, "newer")


def test_search_views_order_and_paging(store):
    ids = [store.create_experiment(f"exp-{i}") for i in range(5)]
    store.delete_experiment(ids[0])
    active = store.search_experiments(ViewType.ACTIVE_ONLY)
    assert {e.experiment_id for e in active} == set(ids[1:]) | {"0"}
    deleted = store.search_experiments(ViewType.DELETED_ONLY)
    assert [e.experiment_id for e in deleted] == [ids[0]]
    assert len(store.search_experiments(ViewType.ALL)) == 6
    first = store.search_experiments(ViewType.ALL, max_results=4)
    assert len(first) == 4 and first.token
    second = store.search_experiments(ViewType.ALL, max_results=4, page_token=first.token)
    assert len(second) == 2 and not second.token
    assert {e.experiment_id for e in first} | {e.experiment_id for e in second} == set(ids) | {"0"}
    names = [e.name for e in store.search_experiments(ViewType.ALL, order_by=["name ASC"])]
    assert names == sorted(names)


def test_search_filter(store):
    store.create_experiment("search-a", tags={"k": "v1"})
    store.create_experiment("search-b", tags={"k": "v2"})
    found = store.search_experiments(filter_string="name LIKE 'search-%' and tags.k = 'v2'")
    assert [e.name for e in found] == ["search-b"]


def test_bad_page_token(store):
    with pytest.raises(InvalidParameter):
        store.search_experiments(page_token="not-a-token")
