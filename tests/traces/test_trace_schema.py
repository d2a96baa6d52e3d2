"""models_traces.py and migration 0003_traces describe the same tables, on SQLite, PostgreSQL and MariaDB."""

import warnings

import pytest
import sqlalchemy

from tests.sql_store.conftest import database_uri
from tests.sql_store.test_schema import _tables_of

TRACE_TABLES = {"trace_info", "trace_tags", "trace_request_metadata", "assessments", "spans", "trace_run_links",
                "scorers", "scorer_versions"}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_trace_models_match_the_migration(kind, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import runtime.store.sql.models_traces  # noqa: F401 - registers the trace tables on the Base
    from runtime.store.sql.engine import create_engine
    from runtime.store.sql.models import Base, include_object_for
    from runtime.store.sql.upgrade import head_revision, upgrade_database

    assert head_revision() == "0003_traces"
    with database_uri(kind, tmp_path) as url:
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
