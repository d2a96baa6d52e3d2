"""The SQL evaluation dataset and issue stores on sqlite, PostgreSQL and MariaDB: the rows mlflow's tables hold,
read and written by mlflow 3.17.2 itself on the same database."""

import contextlib
import inspect
import json
import subprocess

import pytest
import sqlalchemy

from runtime.errors import NotFound
from runtime.imports import load_reference
from runtime.store import factory
from runtime.store.contract.datasets import EvaluationDatasetStore
from runtime.store.contract.issues import IssueStore
from runtime.store.sql.store import SqlStore
from tests.support.databases import database_available, fresh_database
from tests.support.mlflow_venv import mlflow_python


@contextlib.contextmanager
def _database(kind, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'mlf.db'}"
        return
    if not database_available(kind):
        pytest.fail(f"{kind} is not reachable on 127.0.0.1; it must be running for these tests")
    with fresh_database(kind) as url:
        yield url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_datasets_round_trip_in_mlflows_tables(kind, tmp_path):
    with _database(kind, tmp_path) as url:
        store = SqlStore(url, str(tmp_path / "artifacts"))
        experiment_id = store.create_experiment("evals")
        dataset = store.create_dataset("qa", tags={"team": "a"}, experiment_ids=[experiment_id])
        dataset_id = dataset["dataset_id"]
        assert store.upsert_dataset_records(dataset_id, [{"inputs": {"q": "x"}, "outputs": {"a": 1}},
                                                         {"inputs": {"q": "y"}}]) == (2, 0)
        assert store.upsert_dataset_records(dataset_id, [{"inputs": {"q": "x"}, "tags": {"t": "1"}}]) == (0, 1)
        found, token = store.get_dataset_records(dataset_id)
        assert token is None
        by_input = {r["inputs"]["q"]: r for r in found}
        assert by_input["x"]["outputs"] == {"a": 1} and by_input["x"]["tags"] == {"t": "1"}
        assert store.get_dataset(dataset_id)["profile"] == '{"num_records": 2}'
        assert store.get_dataset_experiment_ids(dataset_id) == [experiment_id]
        assert [d["name"] for d in store.search_datasets(filter_string="name LIKE 'q%'")] == ["qa"]
        assert [d["name"] for d in store.search_datasets(filter_string="tags.team = 'b'")] == []

        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as connection:
                links = connection.execute(sqlalchemy.text(
                    "SELECT source_type, destination_type, destination_id FROM entity_associations")).fetchall()
                hashes = connection.execute(sqlalchemy.text(
                    "SELECT COUNT(DISTINCT input_hash) FROM evaluation_dataset_records")).scalar()
        finally:
            engine.dispose()
        assert [tuple(row) for row in links] == [("evaluation_dataset", "experiment", experiment_id)]
        assert hashes == 2

        store.delete_dataset(dataset_id)
        with pytest.raises(NotFound):
            store.get_dataset(dataset_id)
        assert store.get_dataset_experiment_ids(dataset_id) == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_issues_search_order_and_trace_count_on_every_backend(kind, tmp_path):
    with _database(kind, tmp_path) as url:
        store = SqlStore(url, str(tmp_path / "artifacts"))
        experiment_id = store.create_experiment("issues")
        low = store.create_issue(experiment_id, "low", "d", severity="low")
        store.create_issue(experiment_id, "unrated", "d")
        store.create_issue(experiment_id, "high", "d", severity="high", root_causes=["r"])
        found = store.search_issues(experiment_id=experiment_id, include_trace_count=True)
        assert [(i["name"], i["trace_count"]) for i in found] == [("high", 0), ("low", 0), ("unrated", 0)]
        assert store.update_issue(low["issue_id"], status="rejected")["status"] == "rejected"
        assert [i["name"] for i in store.search_issues(filter_string="status != 'pending'")] == ["low"]


READ_WITH_MLFLOW = """
import json, sys
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
store = SqlAlchemyStore(sys.argv[1], sys.argv[2])
dataset = store.get_dataset(sys.argv[3])
records, _ = store._load_dataset_records(sys.argv[3], max_results=10)
issue = store.get_issue(sys.argv[4])
mine = store.create_dataset("from-mlflow", tags={"by": "mlflow"}, experiment_ids=[sys.argv[5]])
store.upsert_dataset_records(mine.dataset_id, [{"inputs": {"q": "z"}, "outputs": "ok"}])
print(json.dumps({"name": dataset.name, "tags": dataset.tags, "experiments": store.get_dataset_experiment_ids(
    sys.argv[3]), "records": sorted((r.inputs["q"], r.outputs) for r in records),
    "issue": [issue.name, str(issue.severity), issue.root_causes], "mine": mine.dataset_id}))
"""


def test_mlflow_reads_and_writes_the_same_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = SqlStore(url, str(tmp_path / "artifacts"))
    experiment_id = store.create_experiment("shared")
    dataset_id = store.create_dataset("qa", tags={"k": "v"}, experiment_ids=[experiment_id])["dataset_id"]
    store.upsert_dataset_records(dataset_id, [{"inputs": {"q": "x"}, "outputs": {"a": 1}}, {"inputs": {"q": "y"}}])
    issue_id = store.create_issue(experiment_id, "wrong", "d", severity="medium", root_causes=["stale docs"])["issue_id"]

    read = subprocess.run([mlflow_python(), "-c", READ_WITH_MLFLOW, url, str(tmp_path / "artifacts"), dataset_id,
                           issue_id, experiment_id], capture_output=True, text=True, timeout=180)
    assert read.returncode == 0, read.stderr
    seen = json.loads(read.stdout.strip().splitlines()[-1])
    assert seen["name"] == "qa" and seen["tags"] == {"k": "v"} and seen["experiments"] == [experiment_id]
    assert seen["records"] == [["x", {"a": 1}], ["y", {}]]
    assert seen["issue"] == ["wrong", "medium", ["stale docs"]]

    theirs = store.get_dataset(seen["mine"])
    assert json.loads(theirs["tags"]) == {"by": "mlflow"}
    assert store.get_dataset_experiment_ids(seen["mine"]) == [experiment_id]
    assert [(r["inputs"], r["outputs"]) for r in store.get_dataset_records(seen["mine"])[0]] == [({"q": "z"}, "ok")]


def test_only_sql_stores_take_the_sql_only_interfaces():
    for interface in (EvaluationDatasetStore, IssueStore):
        assert inspect.isabstract(interface)
        assert issubclass(SqlStore, interface) and not inspect.isabstract(SqlStore)
    others = [load_reference(r) for r in set(factory._STORES.values())]
    assert [c.__name__ for c in others if issubclass(c, EvaluationDatasetStore)] == ["SqlStore"]
