"""In-memory evaluation and sorting of parsed filters on small Run / Experiment objects."""

import math

import pytest

from runtime.entities import Dataset, DatasetInput, Experiment, Metric, Run, RunInfo
from runtime.search.evaluate import (
    experiment_matches,
    like_to_regex,
    run_matches,
    sort_experiments,
    sort_runs,
)
from runtime.search.filter import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_run_filter,
    parse_run_order_by,
)


def make_run(run_id, start_time=1000, metrics=None, params=None, tags=None, datasets=(), **info):
    return Run(
        info=RunInfo(run_id=run_id, experiment_id="0", start_time=start_time, **info),
        metrics={k: Metric(k, v, timestamp=1, step=0) for k, v in (metrics or {}).items()},
        params=dict(params or {}),
        tags=dict(tags or {}),
        dataset_inputs=[
            DatasetInput(Dataset(name, digest), {"mlflow.data.context": context} if context else {})
            for name, digest, context in datasets
        ],
    )


RUNS = [
    make_run("a", 100, {"acc": 0.9, "loss": 0.1}, {"lr": "0.01", "opt": "Adam"}, {"team": "red"},
             [("train_ds", "d1", "training")], run_name="alpha-run", status="FINISHED", user_id="ann", end_time=200),
    make_run("b", 300, {"acc": 0.5}, {"lr": "0.1"}, {"team": "Blue"},
             [("eval_ds", "d2", "eval"), ("train_ds", "d3", None)], run_name="beta", status="FAILED", user_id="bob"),
    make_run("c", 200, {"acc": float("nan")}, {"opt": "sgd"}, {},
             run_name="gamma_1", status="RUNNING", user_id="ann"),
    make_run("d", None, {}, {}, {"team": "red"}, run_name="delta%", status="KILLED"),
]


def matching(text):
    comparisons = parse_run_filter(text)
    return [run.run_id for run in RUNS if run_matches(run, comparisons)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["a", "b", "c", "d"]),
        ("metrics.acc > 0.6", ["a"]),
        ("metrics.acc >= 0.5", ["a", "b"]),
        ("metrics.acc < 1", ["a", "b"]),
        ("metrics.acc <= 0.5", ["b"]),
        ("metrics.acc = 0.9", ["a"]),
        # NaN only satisfies '!='; a missing metric satisfies nothing, not even '!='.
        ("metrics.acc != 0.9", ["b", "c"]),
        ("metrics.loss != 5", ["a"]),
        ("params.lr = '0.01'", ["a"]),
        ("params.lr != '0.01'", ["b"]),
        ("params.opt LIKE 'A%'", ["a"]),
        ("params.opt LIKE 'a%'", []),
        ("params.opt ILIKE 'a%'", ["a"]),
        ("params.opt IN ('sgd', 'Adam')", ["a", "c"]),
        ("params.opt NOT IN ('sgd')", ["a"]),
        ("params.lr IS NULL", ["c", "d"]),
        ("params.lr IS NOT NULL", ["a", "b"]),
        ("tags.team = 'red'", ["a", "d"]),
        ("tags.team ILIKE 'BLUE'", ["b"]),
        ("tags.team != 'red'", ["b"]),
        ("tags.team IS NULL", ["c"]),
        ("attributes.status = 'FINISHED'", ["a"]),
        ("status != 'FINISHED'", ["b", "c", "d"]),
        ("status IN ('FAILED', 'KILLED')", ["b", "d"]),
        ("run_id NOT IN ('a', 'b')", ["c", "d"]),
        ("run_name LIKE '%a'", ["b"]),
        ("run_name LIKE 'gamma_1'", ["c"]),
        ("run_name LIKE 'gamma\\_1'", ["c"]),
        ("run_name LIKE 'gamma\\_%'", ["c"]),
        ("run_name LIKE 'delta\\%'", ["d"]),
        ("`Run name` = 'beta'", ["b"]),
        ("user_id = 'ann'", ["a", "c"]),
        ("start_time > 150", ["b", "c"]),
        ("created <= 200", ["a", "c"]),
        ("start_time != 100", ["b", "c"]),  # run d has no start time
        ("end_time = 200", ["a"]),
        ("end_time != 200", []),
        ("datasets.name = 'train_ds'", ["a", "b"]),
        ("datasets.name != 'train_ds'", ["b"]),  # any input may satisfy it
        ("datasets.digest IN ('d2', 'd9')", ["b"]),
        ("datasets.context = 'training'", ["a"]),
        ("datasets.context LIKE '%a%'", ["a", "b"]),
        ("datasets.context != 'eval'", ["a"]),
        ("metrics.acc > 0.1 and params.lr = '0.1' and tags.team = 'Blue'", ["b"]),
        ("metrics.acc > 0.1 and tags.team = 'red'", ["a"]),
        ("lifecycle_stage = 'active'", ["a", "b", "c", "d"]),
    ],
)
def test_run_filters(text, expected):
    assert matching(text) == expected


@pytest.mark.parametrize(
    "pattern, text, case_insensitive, matches",
    [
        ("abc", "abc", False, True),
        ("abc", "abcd", False, False),
        ("abc", "xabc", False, False),
        ("a%", "a", False, True),
        ("a%", "abc\ndef", False, True),
        ("%b%", "abc", False, True),
        ("a_c", "abc", False, True),
        ("a_c", "ac", False, False),
        ("a.c", "abc", False, False),  # regex characters are literal
        ("a+b(c)", "a+b(c)", False, True),
        ("[ab]", "a", False, False),
        ("ABC", "abc", False, False),
        ("ABC", "abc", True, True),
        ("ä%", "Äx", True, True),
        ("100\\%", "100%", False, True),
        ("100\\%", "1000", False, False),
        ("a\\_b", "a_b", False, True),
        ("a\\_b", "axb", False, False),
        ("a\\\\b", "a\\b", False, True),
        ("end\\", "end\\", False, True),
        ("", "", False, True),
        ("", "x", False, False),
        ("abc$", "abc$", False, True),
        ("abc", "abc\n", False, False),
    ],
)
def test_like_to_regex(pattern, text, case_insensitive, matches):
    regex = like_to_regex(pattern, case_insensitive)
    assert (regex.match(text) is not None) == matches
    assert (regex.search(text) is not None) == matches


def order(clauses, runs=RUNS):
    return [run.run_id for run in sort_runs(runs, parse_run_order_by(clauses))]


def test_default_run_order_is_start_time_desc_with_missing_last():
    assert order([]) == ["b", "c", "a", "d"]


def test_run_id_breaks_ties():
    runs = [make_run(rid, 5) for rid in ("z", "m", "a")]
    assert order([], runs) == ["a", "m", "z"]
    assert order(["metrics.none"], runs) == ["a", "m", "z"]


def test_start_time_breaks_ties_before_run_id():
    runs = [make_run("a", 1, params={"p": "x"}), make_run("b", 3, params={"p": "x"}), make_run("c", 2, params={"p": "x"})]
    assert order(["params.p"], runs) == ["b", "c", "a"]


@pytest.mark.parametrize(
    "clauses, expected",
    [
        (["metrics.acc"], ["b", "a", "c", "d"]),  # numbers, then NaN, then missing
        (["metrics.acc DESC"], ["a", "b", "c", "d"]),
        (["params.lr"], ["a", "b", "c", "d"]),
        (["params.lr DESC"], ["b", "a", "c", "d"]),
        (["params.opt"], ["a", "c", "b", "d"]),  # 'Adam' < 'sgd'; missing after, by start_time DESC
        (["tags.team"], ["b", "a", "d", "c"]),
        (["tags.team DESC", "start_time ASC"], ["a", "d", "b", "c"]),  # missing start_time last
        (["tags.team DESC", "start_time DESC"], ["a", "d", "b", "c"]),
        (["start_time ASC"], ["a", "c", "b", "d"]),
        (["created DESC"], ["b", "c", "a", "d"]),
        (["end_time"], ["a", "b", "c", "d"]),
        (["run_name DESC"], ["c", "d", "b", "a"]),
        (["status"], ["b", "a", "d", "c"]),
        (["user_id", "run_id DESC"], ["d", "c", "a", "b"]),  # d has the empty user id
    ],
)
def test_sort_runs(clauses, expected):
    assert order(clauses) == expected


def test_sort_is_stable_across_many_keys_and_returns_new_list():
    runs = [make_run(f"r{i}", i % 3, {"m": float(i % 2)}, {"p": str(i % 4)}) for i in range(12)]
    result = sort_runs(runs, parse_run_order_by(["metrics.m DESC", "params.p", "start_time"]))
    keys = [(-r.metrics["m"].value, r.params["p"], r.info.start_time, r.run_id) for r in result]
    assert keys == sorted(keys)
    assert result is not runs and len(runs) == 12


def test_sort_negative_infinity_and_nan():
    runs = [make_run("p", metrics={"m": 1.0}), make_run("n", metrics={"m": float("nan")}),
            make_run("i", metrics={"m": float("-inf")}), make_run("j", metrics={"m": float("inf")}), make_run("x")]
    assert order(["metrics.m"], runs) == ["i", "p", "j", "n", "x"]
    assert order(["metrics.m DESC"], runs) == ["j", "p", "i", "n", "x"]


EXPERIMENTS = [
    Experiment("0", "Default", "/a/0", creation_time=10, last_update_time=10),
    Experiment("2", "beta", "/a/2", creation_time=30, last_update_time=40, tags={"team": "red"}),
    Experiment("10", "alpha", "/a/10", creation_time=30, last_update_time=35, tags={"team": "blue", "x": "1"}),
    Experiment("9", "gamma", "/a/9", creation_time=None, last_update_time=None),
]


def experiments_matching(text):
    comparisons = parse_experiment_filter(text)
    return [e.experiment_id for e in EXPERIMENTS if experiment_matches(e, comparisons)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["0", "2", "10", "9"]),
        ("name = 'beta'", ["2"]),
        ("name != 'beta'", ["0", "10", "9"]),
        ("name LIKE '%a'", ["2", "10", "9"]),
        ("name ILIKE 'd%'", ["0"]),
        ("name IN ('alpha', 'gamma')", ["10", "9"]),
        ("experiment_id = '10'", ["10"]),
        ("experiment_id IN ('0', '9')", ["0", "9"]),
        ("experiment_id NOT IN ('0', '9')", ["2", "10"]),
        ("creation_time >= 30", ["2", "10"]),
        ("creation_time != 30", ["0"]),
        ("last_update_time < 40", ["0", "10"]),
        ("tags.team = 'red'", ["2"]),
        ("tags.team != 'red'", ["10"]),
        ("tags.team LIKE '%e%'", ["2", "10"]),
        ("tags.team IS NULL", ["0", "9"]),
        ("tags.x IS NOT NULL", ["10"]),
        ("tags.team ILIKE 'BLUE' and creation_time = 30", ["10"]),
    ],
)
def test_experiment_filters(text, expected):
    assert experiments_matching(text) == expected


def experiment_order(clauses):
    return [e.experiment_id for e in sort_experiments(EXPERIMENTS, parse_experiment_order_by(clauses))]


@pytest.mark.parametrize(
    "clauses, expected",
    [
        ([], ["2", "10", "0", "9"]),  # creation_time DESC, experiment_id ASC (numeric), missing last
        (["experiment_id"], ["0", "2", "9", "10"]),
        (["experiment_id DESC"], ["10", "9", "2", "0"]),
        (["name"], ["0", "10", "2", "9"]),  # byte order: 'Default' < 'alpha'
        (["creation_time ASC"], ["0", "10", "2", "9"]),  # ties: experiment_id DESC, as MLflow
        (["last_update_time DESC"], ["2", "10", "0", "9"]),
    ],
)
def test_sort_experiments(clauses, expected):
    assert experiment_order(clauses) == expected


def test_experiment_ids_that_are_not_numbers_sort_after_numbers():
    experiments = [Experiment(i, i, "") for i in ("b", "11", "a", "2")]
    result = sort_experiments(experiments, parse_experiment_order_by(["experiment_id"]))
    assert [e.experiment_id for e in result] == ["2", "11", "a", "b"]


def test_nan_compares_false_except_not_equal():
    run = make_run("n", metrics={"m": math.nan})
    for op in ("=", "<", "<=", ">", ">="):
        assert not run_matches(run, parse_run_filter(f"metrics.m {op} 0"))
    assert run_matches(run, parse_run_filter("metrics.m != 0"))
