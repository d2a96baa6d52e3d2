"""Migration 0002_registry: it matches models_registry.py, upgrades a 0001 database in place, and
the foreign keys cascade as the stores rely on (SQLite, PostgreSQL, MariaDB)."""

import warnings

import pytest
import sqlalchemy

from runtime.store.sql.engine import create_engine
from tests.sql_store.test_schema import _tables_of

REGISTRY_TABLES = {
    "registered_models", "model_versions", "registered_model_tags", "model_version_tags",
    "registered_model_aliases", "logged_models", "logged_model_tags", "logged_model_params",
    "logged_model_metrics",
}


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db_uri(request, tmp_path, server_database):
    from tests.support.databases import empty_all_tables

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'schema.db'}"
    url = server_database(request.param)
    empty_all_tables(url)
    return url


def _alembic(uri, target, downgrade=False):
    from alembic import command

    from runtime.store.sql.engine import WRITE_TRANSACTION
    from runtime.store.sql.upgrade import alembic_config

    engine = create_engine(uri)
    try:
        with engine.connect() as plain:
            connection = plain.execution_options(**{WRITE_TRANSACTION: True})
            (command.downgrade if downgrade else command.upgrade)(alembic_config(connection=connection), target)
            if connection.in_transaction():
                connection.commit()
    finally:
        engine.dispose()


def _tables(uri):
    engine = create_engine(uri)
    try:
        return set(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_match_the_migration(db_uri):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from runtime.store.sql import models_registry  # noqa: F401 - registers the registry tables
    from runtime.store.sql.models import Base, include_object_for
    from runtime.store.sql.upgrade import upgrade_database

    upgrade_database(db_uri)
    engine = create_engine(db_uri)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            options = {"compare_type": True, "include_object": include_object_for(connection.dialect.name)}
            context = MigrationContext.configure(connection, opts=options)
            differences = [d for d in compare_metadata(context, Base.metadata) if _tables_of(d) & REGISTRY_TABLES]
    finally:
        engine.dispose()
    assert differences == []


def test_upgrade_from_tracking_only_keeps_data(db_uri, tmp_path):
    from runtime.store.sql.upgrade import upgrade_database

    if db_uri.startswith(("postgresql", "mysql")):
        # The shared database may already be at head: start from an empty schema.
        engine = create_engine(db_uri)
        try:
            from tests.support.databases import all_tables_metadata

            with engine.begin() as connection:
                all_tables_metadata().drop_all(connection)
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        finally:
            engine.dispose()
    _alembic(db_uri, "0001_tracking")
    assert not (_tables(db_uri) & REGISTRY_TABLES)
    engine = create_engine(db_uri)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) "
                "VALUES (7, 'kept', '/a', 'active')"
            )
    finally:
        engine.dispose()
    upgrade_database(db_uri)
    assert REGISTRY_TABLES <= _tables(db_uri)
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(db_uri, str(tmp_path / "art"))
    try:
        assert store.get_experiment("7").name == "kept"
        assert store.create_logged_model("7").experiment_id == "7"
    finally:
        store.close()
    _alembic(db_uri, "0001_tracking", downgrade=True)
    assert not (_tables(db_uri) & REGISTRY_TABLES)
    upgrade_database(db_uri)


def test_deleting_a_run_row_removes_its_model_metrics(db_uri, tmp_path):
    """The tracking store's hard delete of a run knows nothing of model metrics: the FK cascades."""
    from runtime.entities import Metric
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(db_uri, str(tmp_path / "art"))
    try:
        experiment_id = store.create_experiment("cascade")
        run_id = store.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name="r").info.run_id
        model = store.create_logged_model(experiment_id, source_run_id=run_id)
        store.record_logged_model_metrics(run_id, [Metric("acc", 1.0, 1, 0, model_id=model.model_id)])
        store.delete_run(run_id)
        store.hard_delete_run(run_id)
        assert store.get_logged_model(model.model_id).metrics == []
    finally:
        store.close()
