"""search_run_columns: the runs search_runs finds, holding only the asked-for keys, on every store."""

import pytest

from runtime.errors import InvalidParameter
from tests.store_contract.test_search_runs import populated  # noqa: F401 (the shared fixture)


def _by_name(runs):
    return {run.info.run_name: run for run in runs}


def test_same_runs_and_order_as_search_runs(populated):  # noqa: F811
    store, experiment_id = populated
    for filter_string, order_by in ((None, None), ("metrics.acc > 0.8", ["metrics.acc ASC"]), ("tags.team = 'a'", None)):
        full = store.search_runs([experiment_id], filter_string=filter_string, order_by=order_by)
        slim = store.search_run_columns([experiment_id], filter_string=filter_string, order_by=order_by,
                                        metric_keys=["acc"], param_keys=[], tag_keys=[])
        assert [r.info for r in slim] == [r.info for r in full]


def test_only_the_listed_keys(populated):  # noqa: F811
    store, experiment_id = populated
    runs = _by_name(store.search_run_columns([experiment_id], metric_keys=["loss", "absent"], param_keys=["opt"],
                                             tag_keys=["team"]))
    r0 = runs["r0"]
    assert {k: m.value for k, m in r0.metrics.items()} == {"loss": 2.0}
    assert r0.params == {"opt": "adam"}
    assert r0.tags == {"team": "a"}
    assert runs["r2"].metrics.keys() == set() and runs["r3"].params == {} and runs["r3"].tags == {}
    assert all(not run.dataset_inputs and not run.model_outputs for run in runs.values())
    # The run name survives even when its tag is not asked for.
    assert set(runs) == {"r0", "r1", "r2", "r3", "r4", "special.run"}


def test_none_means_every_key_and_empty_means_none(populated):  # noqa: F811
    store, experiment_id = populated
    runs = _by_name(store.search_run_columns([experiment_id], metric_keys=None, param_keys=[], tag_keys=[]))
    assert set(runs["r1"].metrics) == {"acc", "loss"}
    assert runs["r1"].metrics["acc"].value == 0.9
    assert runs["r1"].params == {} and runs["r1"].tags == {}
    everything = _by_name(store.search_run_columns([experiment_id]))
    full = _by_name(store.search_runs([experiment_id]))
    assert everything["r1"].params == full["r1"].params and everything["r1"].tags == full["r1"].tags


def test_pages_like_search_runs(populated):  # noqa: F811
    store, experiment_id = populated
    first = store.search_run_columns([experiment_id], max_results=4, metric_keys=[])
    second = store.search_run_columns([experiment_id], max_results=4, page_token=first.token, metric_keys=[])
    assert [r.info.run_name for r in first] + [r.info.run_name for r in second] == [
        "special.run", "r4", "r3", "r2", "r1", "r0"]
    assert second.token is None


def test_bad_filter_refused(populated):  # noqa: F811
    store, experiment_id = populated
    with pytest.raises(InvalidParameter):
        store.search_run_columns([experiment_id], filter_string="metrics.acc >", metric_keys=["acc"])
