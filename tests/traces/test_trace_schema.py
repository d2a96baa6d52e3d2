"""models_traces.py and migration 0003_traces describe the same tables, on SQLite, PostgreSQL and MariaDB."""

import contextlib
import warnings

import pytest
import sqlalchemy

from tests.support.databases import database_available, fresh_database

TRACE_TABLES = {"trace_info", "trace_tags", "trace_request_metadata", "assessments", "spans", "trace_run_links",
                "scorers", "scorer_versions"}


@contextlib.contextmanager
def _database(kind, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'schema.db'}"
        return
    if not database_available(kind):
        pytest.fail(f"{kind} is not reachable on 127.0.0.1")
    with fresh_database(kind) as url:
        yield url


def _tables_of(difference):
    names = set()
    for item in difference if isinstance(difference, list) else [difference]:
        for part in item:
            if isinstance(part, str):
                names.add(part)
            elif isinstance(part, sqlalchemy.Table):
                names.add(part.name)
            elif isinstance(part, (sqlalchemy.Index, sqlalchemy.Column, sqlalchemy.Constraint)):
                names.add(part.table.name)
    return names


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_trace_models_match_the_migration(kind, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import runtime.store.sql.models_traces  # noqa: F401 - registers the trace tables on the Base
    from runtime.store.sql.engine import create_engine
    from runtime.store.sql.models import Base, include_object_for
    from runtime.store.sql.upgrade import head_revision, upgrade_database

    assert head_revision() == "0003_traces"
    with _database(kind, tmp_path) as url:
        upgrade_database(url)
        engine = create_engine(url)
        try:
            with engine.connect() as connection, warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                assert TRACE_TABLES <= set(sqlalchemy.inspect(connection).get_table_names())
                options = {"compare_type": True, "include_object": include_object_for(connection.dialect.name)}
                context = MigrationContext.configure(connection, opts=options)
                differences = [d for d in compare_metadata(context, Base.metadata) if _tables_of(d) & TRACE_TABLES]
        finally:
            engine.dispose()
    assert differences == []


def test_downgrade_removes_the_trace_tables(tmp_path):
    from alembic import command

    from runtime.store.sql.engine import create_engine
    from runtime.store.sql.upgrade import alembic_config, upgrade_database

    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade_database(url)
    command.downgrade(alembic_config(url=url), "0002_registry")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert not TRACE_TABLES & set(sqlalchemy.inspect(connection).get_table_names())
    finally:
        engine.dispose()
