"""Schema creation, upgrade_database idempotence and refusals, engine set-up."""

import multiprocessing

import pytest
import sqlalchemy

from runtime.errors import MlfError
from runtime.store.sql.engine import create_engine, normalize_db_uri
from runtime.store.sql.upgrade import head_revision, upgrade_database
from tests.sql_store.conftest import open_store

TRACKING_TABLES = {"experiments", "runs", "metrics", "latest_metrics", "params", "tags", "experiment_tags",
                   "datasets", "inputs", "input_tags"}


def _inspect(uri, what):
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            return what(sqlalchemy.inspect(connection), connection)
    finally:
        engine.dispose()


def _revision(uri):
    return _inspect(uri, lambda _, c: c.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all())


def _index_columns(uri, table):
    def read(inspector, _):
        return {index["name"]: index["column_names"] for index in inspector.get_indexes(table)}

    return _inspect(uri, read)


def test_fresh_store_creates_the_schema(fresh_db_uri, tmp_path):
    store = open_store(fresh_db_uri, tmp_path)
    store.close()
    tables = set(_inspect(fresh_db_uri, lambda inspector, _: inspector.get_table_names()))
    assert TRACKING_TABLES <= tables
    assert _revision(fresh_db_uri) == [head_revision()]


def test_search_path_indexes_exist(fresh_db_uri, backend, tmp_path):
    open_store(fresh_db_uri, tmp_path).close()
    runs = _index_columns(fresh_db_uri, "runs")
    assert runs["index_runs_experiment_id_lifecycle_stage_start_time"] == ["experiment_id", "lifecycle_stage", "start_time"]
    assert _index_columns(fresh_db_uri, "metrics")["index_metrics_run_uuid_key_step"] == ["run_uuid", "key", "step"]
    assert _index_columns(fresh_db_uri, "latest_metrics")["index_latest_metrics_key_value"] == ["key", "value"]
    for table in ("params", "tags"):
        indexes = _index_columns(fresh_db_uri, table)
        name = f"index_{table}_key_value" + ("_prefix" if backend == "postgresql" else "")
        assert name in indexes and indexes[name][0] == "key"


def test_upgrade_database_twice_on_fresh_database(fresh_db_uri):
    assert upgrade_database(fresh_db_uri) == head_revision()
    assert upgrade_database(fresh_db_uri) == head_revision()
    assert _revision(fresh_db_uri) == [head_revision()]


def test_upgrade_database_on_a_database_in_use_keeps_data(fresh_db_uri, tmp_path):
    store = open_store(fresh_db_uri, tmp_path)
    experiment_id = store.create_experiment("kept")
    store.close()
    assert upgrade_database(fresh_db_uri) == head_revision()
    reopened = open_store(fresh_db_uri, tmp_path)
    assert reopened.get_experiment(experiment_id).name == "kept"
    assert [e.name for e in reopened.search_experiments()] == ["kept", "Default"]
    reopened.close()


def _stamp(uri, revision):
    engine = create_engine(uri)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")
    engine.dispose()


def test_older_chain_revision_is_refused_then_upgraded_in_place(fresh_db_uri, tmp_path):
    upgrade_database(fresh_db_uri)  # no store: its engine would remember the schema as checked
    engine = create_engine(fresh_db_uri)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (5, 'old', '/a/5', 'active')"
        )
    engine.dispose()
    experiment_id = "5"
    _stamp(fresh_db_uri, "89d4b8295536")  # create_latest_metrics_table, a 2019 revision of the chain
    with pytest.raises(MlfError, match=r"found version 89d4b8295536, but expected dc11669786a5.*mlf db upgrade"):
        open_store(fresh_db_uri, tmp_path)
    assert upgrade_database(fresh_db_uri) == head_revision()
    assert upgrade_database(fresh_db_uri) == head_revision()
    store = open_store(fresh_db_uri, tmp_path)
    assert store.get_experiment(experiment_id).name == "old" and store.get_experiment("0").name == "Default"
    store.close()


def test_unknown_revision_is_named_and_left_alone(fresh_db_uri, tmp_path):
    upgrade_database(fresh_db_uri)
    _stamp(fresh_db_uri, "0badc0ffee00")
    for attempt in (lambda: upgrade_database(fresh_db_uri), lambda: open_store(fresh_db_uri, tmp_path)):
        with pytest.raises(MlfError, match=r"revision 0badc0ffee00, which this mlf does not know.*nothing was changed"):
            attempt()
    assert _revision(fresh_db_uri) == ["0badc0ffee00"]


def test_store_refuses_a_database_without_our_revision(fresh_db_uri, tmp_path):
    engine = create_engine(fresh_db_uri)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY)")
    engine.dispose()
    with pytest.raises(MlfError, match="mlf db upgrade"):
        open_store(fresh_db_uri, tmp_path)


def test_a_fresh_schema_needs_no_change_and_holds_the_initial_rows(fresh_db_uri, tmp_path):
    """The converge step of the head revision finds nothing to rebuild in a schema mlf created."""
    from runtime.store.sql.migrations.converge import shape_difference, target_metadata

    open_store(fresh_db_uri, tmp_path).close()

    def check(inspector, connection):
        reasons = {t.name: shape_difference(t, inspector, connection.dialect) for t in target_metadata().sorted_tables}
        workspaces = connection.exec_driver_sql("SELECT name, description FROM workspaces").all()
        default = connection.exec_driver_sql("SELECT name, workspace FROM experiments WHERE experiment_id = 0").all()
        return {k: v for k, v in reasons.items() if v}, workspaces, default

    reasons, workspaces, default = _inspect(fresh_db_uri, check)
    assert reasons == {}
    assert [tuple(w) for w in workspaces] == [("default", "Default workspace for legacy resources")]
    assert [tuple(d) for d in default] == [("Default", "default")]


def test_experiment_ids_are_sequential(fresh_db_uri, tmp_path):
    store = open_store(fresh_db_uri, tmp_path)
    assert [store.create_experiment(f"e{i}") for i in range(3)] == ["1", "2", "3"]
    store.close()


def _open_and_count(uri, directory, queue):
    try:
        store = open_store(uri, directory)
        store.create_experiment(f"exp-{multiprocessing.current_process().pid}")
        queue.put(("ok", len(store.search_experiments())))
        store.close()
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(exc)))


def test_concurrent_first_opens_create_the_schema_once(fresh_db_uri, tmp_path):
    # Fork: the parent has not opened this database, so no child inherits a connection to it.
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_open_and_count, args=(fresh_db_uri, tmp_path, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert [status for status, _ in results] == ["ok"] * 4, results
    store = open_store(fresh_db_uri, tmp_path)
    names = sorted(e.name for e in store.search_experiments())
    assert len(names) == 5 and names[0] == "Default"
    store.close()


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


@pytest.mark.parametrize(
    "uri, expected",
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("mysql://root@h:3306/db", "mysql+pymysql://root@h:3306/db?charset=utf8mb4"),
        ("mysql+pymysql://root@h/db?charset=latin1", "mysql+pymysql://root@h/db?charset=latin1"),
        ("sqlite:///rel/path.db", "sqlite:///rel/path.db"),
    ],
)
def test_driver_selection(uri, expected):
    import importlib.util

    bare = "+" not in uri.split("://")[0]
    if bare and (importlib.util.find_spec("psycopg2") or importlib.util.find_spec("MySQLdb")):
        pytest.skip("the default driver is installed, so bare URIs keep it")
    assert normalize_db_uri(uri) == expected


def test_bad_uri_is_refused():
    from runtime.errors import InvalidParameter

    with pytest.raises(InvalidParameter):
        normalize_db_uri("not a uri")


def test_pool_settings_follow_mlflow_environment_variables(monkeypatch):
    monkeypatch.setenv("MLFLOW_SQLALCHEMYSTORE_POOL_SIZE", "3")
    monkeypatch.setenv("MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW", "4")
    engine = create_engine("postgresql://postgres@127.0.0.1:5432/test")
    assert engine.pool.size() == 3 and engine.pool._max_overflow == 4
    engine.dispose()
    monkeypatch.setenv("MLFLOW_SQLALCHEMYSTORE_POOLCLASS", "NullPool")
    engine = create_engine("postgresql://postgres@127.0.0.1:5432/test")
    assert type(engine.pool).__name__ == "NullPool"
    engine.dispose()
    monkeypatch.setenv("MLFLOW_SQLALCHEMYSTORE_POOL_SIZE", "many")
    from runtime.errors import InvalidParameter

    with pytest.raises(InvalidParameter):
        create_engine("postgresql://postgres@127.0.0.1:5432/test")


def test_head_revision_constant_matches_the_migrations_folder():
    from runtime.store.sql.upgrade import HEAD_REVISION

    assert HEAD_REVISION == head_revision()


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path):
    import subprocess
    import sys

    uri = f"sqlite:///{tmp_path / 'current.db'}"
    open_store(uri, tmp_path).close()  # creates the schema (alembic runs here, in this process)
    script = (
        "import sys\n"
        "from runtime.store.factory import get_tracking_store\n"
        f"store = get_tracking_store({uri!r}, {(tmp_path / 'art').as_uri()!r})\n"
        "store.search_experiments()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
