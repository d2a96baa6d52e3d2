"""SQL search results equal the in-memory evaluation (runtime.search.evaluate) for every
operator, field and ordering, including case, trailing spaces, wildcards, escapes, NaN,
infinities and missing values — on SQLite, PostgreSQL and MariaDB."""

import itertools

import pytest

from runtime.entities import Dataset, DatasetInput, Metric, Param, RunTag, ViewType
from runtime.search.evaluate import experiment_matches, run_matches, sort_experiments, sort_runs
from runtime.search.filter import parse_experiment_filter, parse_experiment_order_by, parse_run_filter, parse_run_order_by
from tests.sql_store.conftest import open_store

NAN, INF = float("nan"), float("inf")

# name, start, end, status, user, metrics, params, tags, datasets [(name, digest, context)]
RUN_DATA = [
    ("alpha", 100, 150, "FINISHED", "ann", {"acc": 0.9, "loss": 0.1}, {"lr": "0.01", "opt": "Adam"},
     {"team": "red"}, [("train", "d1", "training"), ("eval", "d2", "eval")]),
    ("Alpha", 200, None, "RUNNING", "bob", {"acc": 0.5, "loss": NAN}, {"lr": "0.1", "opt": "adam"},
     {"team": "Red"}, [("train", "d1", "eval")]),
    ("beta ", 200, 250, "FAILED", "ANN", {"acc": NAN}, {"opt": "ADAM "}, {"team": "red "}, [("Train", "D1", None)]),
    ("gamma_1", 300, 301, "KILLED", "", {"acc": INF, "loss": -INF}, {"lr": "1e-3", "opt": "sgd"}, {"team": ""}, []),
    ("100%_done", 400, 410, "FINISHED", "carl", {"acc": -1.0, "loss": 0.0}, {"lr": "0.01"}, {}, [("x%y", "d_3", "a_b")]),
    ("x!y[z]", 500, None, "SCHEDULED", "dora", {"loss": 2.5}, {"opt": "x!y"}, {"team": "br[a]ck"}, []),
    ("back\\slash", 600, 700, "FINISHED", "émile", {"acc": 0.9}, {"opt": "back\\slash", "lr": "0.1"},
     {"team": "Ünï"}, [("eval", "d2", "training")]),
    ("naïve", 700, 800, "FINISHED", "ann", {}, {}, {"team": "ünï"}, []),
]
DELETED = {"gamma_1"}


def _quote(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@pytest.fixture(scope="module")
def populated(module_db):
    backend, uri, directory = module_db
    store = open_store(uri, directory)
    experiment_id = store.create_experiment("search")
    other = store.create_experiment("elsewhere")
    store.create_run(other, "ann", 50, {}, "not-in-scope")
    for name, start, end, status, user, metrics, params, tags, datasets in RUN_DATA:
        run_id = store.create_run(experiment_id, user, start, {}, name).info.run_id
        store.log_batch(
            run_id,
            metrics=[Metric(k, v, start, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        store.log_inputs(
            run_id,
            datasets=[
                DatasetInput(Dataset(n, d, "local", "src"), {"mlflow.data.context": c} if c else {})
                for n, d, c in datasets
            ],
        )
        store.update_run_info(run_id, status=status, end_time=end)
        if name in DELETED:
            store.delete_run(run_id)
    runs = store.search_runs([experiment_id], run_view_type=ViewType.ALL, max_results=100)
    reference = [store.get_run(run.info.run_id) for run in runs]
    yield store, experiment_id, reference
    store.close()


def _expected(reference, filter_string, order_by, view=ViewType.ALL):
    comparisons = parse_run_filter(filter_string)
    stages = ViewType.stages(view)
    chosen = [r for r in reference if r.info.lifecycle_stage in stages and run_matches(r, comparisons)]
    return [r.info.run_id for r in sort_runs(chosen, parse_run_order_by(order_by))]


def _names(reference, run_ids):
    by_id = {r.info.run_id: r.info.run_name for r in reference}
    return [by_id[i] for i in run_ids]


def _check(populated, filter_string, order_by=None, view=ViewType.ALL):
    store, experiment_id, reference = populated
    got = [r.info.run_id for r in store.search_runs([experiment_id], filter_string, view, 100, order_by)]
    expected = _expected(reference, filter_string, order_by, view)
    assert _names(reference, got) == _names(reference, expected), (filter_string, order_by)
    return expected


NUMERIC_VALUES = ["0.9", "0.5", "-1", "0", "1e308", "-1e308", "2.5"]
NUMERIC_OPS = ["=", "!=", "<", "<=", ">", ">="]
STRING_VALUES = [
    "Adam", "adam", "ADAM", "ADAM ", "red", "red ", "", "0.01", "x!y", "br[a]ck", "back\\slash", "ünï", "ÜNÏ",
]
PATTERNS = [
    "adam%", "%DAM%", "a_am", "%", "_", "%!%", "%[%", "%\\%%", "100\\%\\_done", "%\\_%", "back\\\\slash",
    "%e_", "Ü%", "%ï", "r_d%", "% ",
]


def _metric_filters():
    for key, op, value in itertools.product(["acc", "loss", "nope"], NUMERIC_OPS, NUMERIC_VALUES):
        yield f"metrics.{key} {op} {value}"


def _string_filters(prefix, keys):
    for key in keys:
        for op in ("=", "!="):
            for value in STRING_VALUES:
                yield f"{prefix}.`{key}` {op} {_quote(value)}"
        for op in ("LIKE", "ILIKE"):
            for pattern in PATTERNS:
                yield f"{prefix}.`{key}` {op} {_quote(pattern)}"
        yield f"{prefix}.`{key}` IN ('Adam', 'red', 'red ', '0.1')"
        yield f"{prefix}.`{key}` NOT IN ('Adam', 'red', '')"


def _null_filters():
    for prefix, key in itertools.product(["params", "tags"], ["opt", "lr", "team", "nope"]):
        yield f"{prefix}.{key} IS NULL"
        yield f"{prefix}.{key} IS NOT NULL"


def _attribute_filters():
    yield from _string_filters("attributes", ["run_name", "status", "user_id", "lifecycle_stage"])
    for key, op, value in itertools.product(["start_time", "end_time"], NUMERIC_OPS, ["200", "300", "0", "700.5"]):
        yield f"attributes.{key} {op} {value}"
    yield "attributes.artifact_uri LIKE '%/artifacts'"
    yield "attributes.artifact_uri ILIKE 'FILE:%'"
    yield "attributes.artifact_uri != 'x'"
    yield "attributes.status IN ('FINISHED', 'KILLED')"
    yield "attributes.status NOT IN ('FINISHED')"
    yield "created >= 300"
    yield "`Run name` LIKE 'a%'"


def _dataset_filters():
    for key in ("name", "digest", "context"):
        for op, value in [("=", "train"), ("=", "Train"), ("!=", "train"), ("LIKE", "%_%"), ("LIKE", "x\\%y"),
                          ("ILIKE", "TRAIN"), ("ILIKE", "d_"), ("IN", None), ("NOT IN", None), ("=", "training"),
                          ("LIKE", "a\\_b")]:
            if value is None:
                yield f"datasets.{key} {op} ('train', 'd2', 'eval')"
            else:
                yield f"datasets.{key} {op} {_quote(value)}"


ALL_FILTERS = [
    *_metric_filters(),
    *_string_filters("params", ["opt", "lr", "nope"]),
    *_string_filters("tags", ["team", "mlflow.runName"]),
    *_null_filters(),
    *_attribute_filters(),
    *_dataset_filters(),
    # conjunctions, including two comparisons on one key
    "metrics.acc > 0 and metrics.acc < 1",
    "params.opt ILIKE 'adam%' and tags.team = 'red'",
    "metrics.loss != 0 and params.lr IS NOT NULL and attributes.status != 'RUNNING'",
    "datasets.name = 'train' and datasets.context = 'eval'",
    "tags.team IS NULL and metrics.loss > 1",
]


def test_every_filter_matches_the_in_memory_evaluation(populated):
    """One test walks all filters (a few hundred) so the per-backend database is built once."""
    matched_something = 0
    for filter_string in ALL_FILTERS:
        matched_something += bool(_check(populated, filter_string))
    # Guard against a vacuous pass: a good share of the filters must select runs.
    assert matched_something > len(ALL_FILTERS) // 3


@pytest.mark.parametrize("view", [ViewType.ACTIVE_ONLY, ViewType.DELETED_ONLY, ViewType.ALL])
def test_view_types(populated, view):
    assert _check(populated, "metrics.acc > -10", None, view) or view == ViewType.DELETED_ONLY


ORDER_KEYS = [
    "metrics.acc", "metrics.loss", "metrics.nope", "params.opt", "params.lr", "tags.team", "tags.nope",
    "attributes.start_time", "attributes.end_time", "attributes.run_name", "attributes.status",
    "attributes.user_id", "attributes.run_id", "attributes.lifecycle_stage", "attributes.artifact_uri",
]


def test_every_single_key_ordering(populated):
    for key, direction in itertools.product(ORDER_KEYS, ["ASC", "DESC"]):
        _check(populated, None, [f"{key} {direction}"])


def test_two_key_orderings(populated):
    for first, second in [("metrics.acc DESC", "params.lr ASC"), ("tags.team ASC", "metrics.loss DESC"),
                          ("attributes.status ASC", "attributes.end_time DESC"), ("params.lr DESC", "params.opt ASC")]:
        _check(populated, None, [first, second])
        _check(populated, "metrics.acc != 0", [second, first])


@pytest.mark.parametrize("filter_string, order_by", [
    (None, None),
    ("params.opt ILIKE 'adam%'", ["metrics.acc DESC"]),
    (None, ["tags.team ASC", "attributes.run_name DESC"]),
])
def test_paging_equals_the_full_result(populated, filter_string, order_by):
    store, experiment_id, reference = populated
    expected = _expected(reference, filter_string, order_by)
    for page_size in (1, 3, len(expected), len(expected) + 1):
        seen, token = [], None
        while True:
            page = store.search_runs([experiment_id], filter_string, ViewType.ALL, page_size, order_by, token)
            assert len(page) <= page_size
            seen += [r.info.run_id for r in page]
            token = page.token
            if not token:
                break
        assert seen == expected


def test_experiment_scope(populated):
    store, experiment_id, _ = populated
    names = {r.info.run_name for r in store.search_runs([experiment_id, "0", "424242", "abc"], None, ViewType.ALL)}
    assert "not-in-scope" not in names and len(names) == len(RUN_DATA)
    assert list(store.search_runs([], None)) == []


def test_search_results_carry_full_run_data(populated):
    store, experiment_id, reference = populated
    by_id = {r.info.run_id: r for r in reference}
    for run in store.search_runs([experiment_id], None, ViewType.ALL):
        expected = by_id[run.info.run_id]
        assert run.params == expected.params and run.tags == expected.tags
        assert run.to_dict()["inputs"] == expected.to_dict()["inputs"]
        assert set(run.metrics) == set(expected.metrics)


# ---- experiments ----------------------------------------------------------------------

EXPERIMENT_NAMES = ["exp-a", "Exp-A", "exp-a ", "exp_b", "100%", "ünï", "x!y"]


@pytest.fixture(scope="module")
def experiments_store(module_db):
    backend, uri, directory = module_db
    store = open_store(uri, directory)
    ids = []
    for index, name in enumerate(EXPERIMENT_NAMES):
        tags = {"team": ["red", "Red", "blue"][index % 3]} if index % 4 else {}
        ids.append(store.create_experiment(f"{name}", tags=tags))
    store.delete_experiment(ids[2])
    # The module's database may hold other tests' experiments too: take every one.
    every_id = {e.experiment_id for e in store.search_experiments(ViewType.ALL, 1000)}
    reference = [store.get_experiment(i) for i in sorted(every_id, key=int)]
    assert set(ids) <= every_id
    yield store, reference
    store.close()


def _experiment_filters(reference):
    some_id = next(e.experiment_id for e in reference if e.name == "exp_b")
    for op, value in itertools.product(["=", "!="], ["exp-a", "EXP-A", "exp-a ", "100%", "ünï"]):
        yield f"name {op} {_quote(value)}"
    for op, pattern in itertools.product(["LIKE", "ILIKE"], ["exp%", "EXP-_", "%\\%", "%!%", "Ü%", "%a "]):
        yield f"name {op} {_quote(pattern)}"
    yield "name IN ('exp-a', 'x!y')"
    yield "name NOT IN ('exp-a', 'Default')"
    for op in ("=", "!="):
        for value in (some_id, "0", f"0{some_id}", "abc"):
            yield f"attributes.experiment_id {op} {_quote(value)}"
    yield f"attributes.experiment_id IN ('0', '{some_id}', '0{some_id}')"
    yield f"attributes.experiment_id NOT IN ('0', '{some_id}')"
    yield "attributes.experiment_id IN ('nope')"
    yield "attributes.experiment_id NOT IN ('nope')"
    middle = sorted(e.creation_time for e in reference)[len(reference) // 2]
    for key, op in itertools.product(["creation_time", "last_update_time"], NUMERIC_OPS):
        yield f"attributes.{key} {op} {middle}"
    for op, value in [("=", "red"), ("!=", "red"), ("LIKE", "r%"), ("ILIKE", "R%"), ("IN", None), ("NOT IN", None)]:
        yield f"tags.team {op} " + ("('red', 'blue')" if value is None else _quote(value))
    yield "tags.team IS NULL"
    yield "tags.team IS NOT NULL"
    yield "name LIKE 'exp%' and tags.team = 'Red'"


def _check_experiments(store, reference, filter_string, order_by, view):
    got = [e.experiment_id for e in store.search_experiments(view, 100, filter_string, order_by)]
    stages = ViewType.stages(view)
    chosen = [e for e in reference if e.lifecycle_stage in stages and experiment_matches(e, parse_experiment_filter(filter_string))]
    expected = [e.experiment_id for e in sort_experiments(chosen, parse_experiment_order_by(order_by))]
    assert got == expected, (filter_string, order_by, view)


def test_every_experiment_filter(experiments_store):
    store, reference = experiments_store
    for filter_string in _experiment_filters(reference):
        for view in (ViewType.ACTIVE_ONLY, ViewType.ALL):
            _check_experiments(store, reference, filter_string, None, view)


def test_every_experiment_ordering(experiments_store):
    store, reference = experiments_store
    for key, direction in itertools.product(["name", "experiment_id", "creation_time", "last_update_time"], ["ASC", "DESC"]):
        _check_experiments(store, reference, None, [f"{key} {direction}"], ViewType.ALL)
    _check_experiments(store, reference, None, ["last_update_time DESC", "name ASC"], ViewType.ALL)
    _check_experiments(store, reference, None, None, ViewType.ALL)


def test_experiment_paging(experiments_store):
    store, reference = experiments_store
    full = [e.experiment_id for e in store.search_experiments(ViewType.ALL, 100, None, ["name DESC"])]
    seen, token = [], None
    while True:
        page = store.search_experiments(ViewType.ALL, 2, None, ["name DESC"], token)
        seen += [e.experiment_id for e in page]
        token = page.token
        if not token:
            break
    assert seen == full and len(full) == len(reference)


def test_postgresql_tables_are_analyzed_before_searching_a_young_database(tmp_path):
    """Without statistics PostgreSQL picks nested-loop plans that took 81 s for a filtered
    search over 2000 fresh runs; the store analyzes never-analyzed tables once they hold data."""
    import time

    import sqlalchemy

    from tests.sql_store.conftest import database_uri

    with database_uri("postgresql", tmp_path) as uri:
        store = open_store(uri, tmp_path)
        for i in range(400):
            run_id = store.create_run("0", "u", i, {}, f"r{i}").info.run_id
            store.log_batch(run_id, metrics=[Metric("acc", i / 400, i, 0)], params=[Param("lr", str(i % 7))])
        query = sqlalchemy.text(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('runs', 'latest_metrics', 'params') "
            "AND last_analyze IS NOT NULL"
        )
        deadline = time.monotonic() + 20  # activity counters reach pg_stat with a delay
        analyzed = 0
        while analyzed < 3 and time.monotonic() < deadline:
            found = store.search_runs(["0"], "metrics.acc > 0.5 and params.lr = '3'", ViewType.ALL, 1000)
            with store.engine.connect() as connection:
                analyzed = connection.execute(query).scalar()
            time.sleep(0.5)
        assert analyzed == 3
        assert len(found) == len([i for i in range(400) if i / 400 > 0.5 and i % 7 == 3])
        store.close()
