"""The same data and the same queries give the same answers on every store."""

import pytest

from runtime.entities import Metric, Param, RunStatus, RunTag
from runtime.errors import InvalidParameter

RUNS = [
    # name, start, metrics, params, tags, status
    ("r0", 100, {"acc": 0.5, "loss": 2.0}, {"lr": "0.1", "opt": "adam"}, {"team": "a"}, RunStatus.FINISHED),
    ("r1", 200, {"acc": 0.9, "loss": 1.0}, {"lr": "0.01", "opt": "sgd"}, {"team": "b"}, RunStatus.FAILED),
    ("r2", 300, {"acc": 0.95}, {"lr": "0.01", "opt": "Adam"}, {"team": "a"}, RunStatus.FINISHED),
    ("r3", 400, {}, {"lr": "0.001"}, {}, RunStatus.RUNNING),
    ("r4", 500, {"acc": 0.7, "loss": 3.0}, {"opt": "adamw"}, {"team": "c"}, RunStatus.KILLED),
    ("special.run", 600, {"acc": 0.91, "loss": 0.5}, {"lr": "0.1"}, {"team": "b"}, RunStatus.FINISHED),
]

CASES = [
    ("metrics.acc > 0.8", None, ["special.run", "r2", "r1"]),
    ("metrics.acc >= 0.9 and params.lr = '0.01'", None, ["r2", "r1"]),
    ("params.opt LIKE 'adam%'", None, ["r4", "r0"]),
    ("params.opt ILIKE 'adam%'", None, ["r4", "r2", "r0"]),
    ("tags.team != 'a'", None, ["special.run", "r4", "r1"]),
    ("tags.team IN ('a', 'c')", None, ["r4", "r2", "r0"]),
    ("tags.team NOT IN ('a')", None, ["special.run", "r4", "r1"]),
    ("attributes.status = 'FINISHED'", None, ["special.run", "r2", "r0"]),
    ("attributes.run_name LIKE 'special%'", None, ["special.run"]),
    ("attributes.start_time >= 300", None, ["special.run", "r4", "r3", "r2"]),
    ("metrics.loss < 2", None, ["special.run", "r1"]),
    ("metrics.`acc` = 0.95", None, ["r2"]),
    ("tags.`team` = 'b' AND metrics.loss <= 1", None, ["special.run", "r1"]),
    (None, ["attributes.start_time ASC"], ["r0", "r1", "r2", "r3", "r4", "special.run"]),
    (None, ["attributes.run_name DESC"], ["special.run", "r4", "r3", "r2", "r1", "r0"]),
    (None, ["metrics.loss ASC"], ["special.run", "r1", "r0", "r4", {"r2", "r3"}]),
    (None, ["metrics.acc DESC"], ["r2", "special.run", "r1", "r4", "r0", {"r3"}]),
    ("params.lr = '0.1'", ["metrics.acc ASC"], ["r0", "special.run"]),
]


@pytest.fixture
def populated(store):
    experiment_id = store.create_experiment("search")
    for name, start, metrics, params, tags, status in RUNS:
        run_id = store.create_run(experiment_id, user_id="u", start_time=start, tags={}, run_name=name).info.run_id
        store.log_batch(
            run_id,
            metrics=[Metric(k, v, start, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        store.update_run_info(run_id, status=status, end_time=start + 1)
    return store, experiment_id


def _matches(names, expected):
    position = 0
    for item in expected:
        if isinstance(item, set):
            chunk = names[position:position + len(item)]
            if set(chunk) != item:
                return False
            position += len(item)
        else:
            if position >= len(names) or names[position] != item:
                return False
            position += 1
    return position == len(names)


@pytest.mark.parametrize("filter_string,order_by,expected", CASES)
def test_search_runs(populated, filter_string, order_by, expected):
    store, experiment_id = populated
    runs = store.search_runs([experiment_id], filter_string=filter_string, order_by=order_by)
    names = [r.info.run_name for r in runs]
    assert _matches(names, expected), names


def test_paging_covers_everything_once(populated):
    store, experiment_id = populated
    seen, token = [], None
    while True:
        page = store.search_runs([experiment_id], max_results=4, page_token=token)
        seen += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
    assert seen == ["special.run", "r4", "r3", "r2", "r1", "r0"]


@pytest.mark.parametrize("bad", ["metrics.acc > 'x'", "params.lr > 1", "foo.bar = 1", "metrics.acc = 1 or metrics.acc = 2",
                                 "attributes.nope = 'x'", "metrics.acc >"])
def test_malformed_filters(populated, bad):
    store, experiment_id = populated
    with pytest.raises(InvalidParameter):
        store.search_runs([experiment_id], filter_string=bad)


@pytest.mark.parametrize("max_results", [0, -1, 50001])
def test_max_results_bounds(populated, max_results):
    store, experiment_id = populated
    with pytest.raises(InvalidParameter):
        store.search_runs([experiment_id], max_results=max_results)
