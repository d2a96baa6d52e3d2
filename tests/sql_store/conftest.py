"""SQL store fixtures: every test runs on SQLite (a temp file), PostgreSQL and MariaDB.

PostgreSQL and MariaDB databases are created with a unique name per use and
dropped afterwards (tests.support.databases).
"""

import contextlib

import pytest

from tests.support.databases import database_available, fresh_database

BACKENDS = ["sqlite", "postgresql", "mysql"]


@contextlib.contextmanager
def database_uri(kind, directory):
    """A URI of an empty database of the given kind, removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'mlf.db'}"
        return
    if not database_available(kind):
        pytest.fail(f"{kind} is not reachable on 127.0.0.1; it must be running for the SQL store tests")
    with fresh_database(kind) as uri:
        yield uri


def open_store(uri, directory):
    from runtime.store.sql.store import SqlStore

    return SqlStore(uri, (directory / "artifacts").as_uri())


def wipe(uri):
    """Delete every row of every table (children first), keeping the schema."""
    import sqlalchemy

    from runtime.store.sql.engine import get_engine

    engine = get_engine(uri)
    metadata = sqlalchemy.MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name != "alembic_version":
                connection.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def fresh_db_uri(backend, tmp_path):
    """A new, empty database for tests of schema creation."""
    with database_uri(backend, tmp_path) as uri:
        yield uri


@pytest.fixture(scope="module", params=BACKENDS)
def module_db(request, tmp_path_factory):
    """(backend, uri, directory) of one database per backend, shared by a test module."""
    directory = tmp_path_factory.mktemp(f"sql_{request.param}")
    with database_uri(request.param, directory) as uri:
        yield request.param, uri, directory


@pytest.fixture
def db_uri(module_db):
    """The module's database, emptied for this test (creating a database per test is slow on MariaDB)."""
    uri = module_db[1]
    open_store(uri, module_db[2]).close()  # the schema exists from here on
    wipe(uri)
    return uri


@pytest.fixture
def store(db_uri, tmp_path):
    sql_store = open_store(db_uri, tmp_path)
    yield sql_store
    sql_store.close()
