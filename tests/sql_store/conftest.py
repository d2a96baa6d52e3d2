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


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def db_uri(backend, tmp_path):
    with database_uri(backend, tmp_path) as uri:
        yield uri


@pytest.fixture
def store(db_uri, tmp_path):
    sql_store = open_store(db_uri, tmp_path)
    yield sql_store
    sql_store.close()


@pytest.fixture(scope="module", params=BACKENDS)
def module_db(request, tmp_path_factory):
    """(uri, directory) of one database per backend shared by a module's read-only tests."""
    directory = tmp_path_factory.mktemp(f"sql_{request.param}")
    with database_uri(request.param, directory) as uri:
        yield request.param, uri, directory
