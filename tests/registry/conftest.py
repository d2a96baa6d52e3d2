"""Fixtures of the registry tests outside the store contract (tests/store_contract): real
clients, routes and schema, on a session database per kind emptied between uses."""

import contextlib

import pytest

from tests.support.databases import SessionDatabases


@pytest.fixture(scope="session")
def server_database():
    """kind -> URL of one database for this session (created on first use, dropped at the end)."""
    databases = SessionDatabases()
    yield databases.url
    databases.close()


@contextlib.contextmanager
def backend_uri(kind, tmp_path, server_database):
    from tests.support.databases import empty_all_tables

    if kind == "file":
        yield str(tmp_path / "mlruns")
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'mlf.db'}"
    else:
        url = server_database(kind)
        empty_all_tables(url)
        yield url
