"""Databases made by older mlflow releases and by earlier mlf releases upgrade to the head in place.

Real mlflow 1.30.1, 2.9.2 and 3.1.0 (each in its own cached environment) create a database
and log a session; mlf refuses to use it until `mlf db upgrade`, which then brings it to
exactly the schema mlf creates fresh (twice in a row: the second run changes nothing), and
mlflow 3.17.2 reads back every row the old release wrote. A database of mlf's own earlier
revisions (0003_traces) upgrades the same way.
"""

import pytest
import sqlalchemy

from runtime.store.sql.engine import normalize_db_uri
from runtime.store.sql.models import MLF_EXTRA_INDEXES
from tests.sql_compat.conftest import database, run_mlf, run_peer
from tests.sql_compat.legacy_rows import MODEL_ID, RUN_ID, TRACE_ID, make_legacy_database, row_counts
from tests.sql_compat.schema_shape import describe, differences


def _assert_head_schema(url, kind, tmp_path):
    import runtime.store.sql.models_registry  # noqa: F401 - registers the registry's extra indexes

    with database(kind, tmp_path, "fresh.db") as (fresh_url, _):
        run_mlf("db", "upgrade", fresh_url)
        fresh, upgraded = describe(normalize_db_uri(fresh_url)), describe(normalize_db_uri(url))
    assert differences(fresh, upgraded, MLF_EXTRA_INDEXES, collation=kind != "mysql") == []


def _upgrade(url):
    refused = run_mlf("experiments", "search", env={"MLFLOW_TRACKING_URI": url}, check=False)
    assert refused.returncode != 0 and "mlf db upgrade" in refused.stderr and len(refused.stderr.splitlines()) == 1
    for _ in range(2):
        assert "dc11669786a5" in run_mlf("db", "upgrade", url).stdout


def _check_old_release(version, kind, tmp_path):
    with database(kind, tmp_path) as (url, peer_url):
        written = run_peer(version, "write", peer_url, "old", cwd=tmp_path)
        written.pop("features")
        _upgrade(url)
        assert run_peer("3.17.2", "read", peer_url, cwd=tmp_path) == written
        _assert_head_schema(url, kind, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.30.1", "2.9.2", "3.1.0"])
def test_database_of_an_older_mlflow_upgrades_on_sqlite(version, tmp_path):
    _check_old_release(version, "sqlite", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_database_of_mlflow_1_upgrades_on_database_servers(kind, tmp_path):
    _check_old_release("1.30.1", kind, tmp_path)


def test_database_of_an_earlier_mlf_upgrades_without_losing_a_row(kind, tmp_path):
    with database(kind, tmp_path) as (url, peer_url):
        make_legacy_database(url)
        _upgrade(url)
        engine = sqlalchemy.create_engine(normalize_db_uri(url))
        try:
            with engine.connect() as connection:
                for table, count in row_counts().items():
                    if table != "trace_run_links":
                        assert connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar() == count, table
                links = connection.exec_driver_sql(
                    "SELECT source_type, source_id, destination_type, destination_id FROM entity_associations").all()
                assert [tuple(link) for link in links] == [("trace", TRACE_ID, "run", RUN_ID)]
                assert not sqlalchemy.inspect(connection).has_table("trace_run_links")
        finally:
            engine.dispose()
        read = run_peer("3.17.2", "read", peer_url, cwd=tmp_path)
        _assert_head_schema(url, kind, tmp_path)
    legacy = next(e for e in read["experiments"] if e["name"] == "legacy")
    assert legacy["tags"] == {"team": "old"}
    [run] = legacy["runs"]
    assert run["metrics"] == {"loss": [[0, 11, 0.5], [1, 12, 0.25], [2, 13, "NaN"]]}
    assert (run["params"], run["tags"], run["name"]) == ({"alpha": "0.5"}, {"note": "kept"}, "legacy-run")
    assert read["registry"] == [{
        "name": "legacy-model", "description": "d", "tags": {"owner": "me"}, "aliases": {"champion": "1"},
        "versions": [{"version": "1", "source": f"models:/{MODEL_ID}", "run_id": RUN_ID, "stage": "None",
                      "tags": {"v": "1"}}],
    }]
    assert [m["model_id"] for m in read["logged_models"]] == [MODEL_ID]
    assert read["logged_models"][0]["params"] == {"depth": "3"}
    [trace] = read["traces"]
    assert (trace["trace_id"], trace["tags"], trace["assessments"]) == (TRACE_ID, {"checked": "yes"},
                                                                       [["quality", "true", "fine"]])
