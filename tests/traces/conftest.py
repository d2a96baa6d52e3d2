"""Trace stores on every backend: file, SQLite, PostgreSQL and MariaDB (fresh databases, dropped after)."""

import contextlib

import pytest

from tests.sql_store.conftest import database_uri

BACKENDS = ["file", "sqlite", "postgresql", "mysql"]


def trace_capable(cls, mixin):
    """The store class itself once it mixes traces in; until then, a subclass that does."""
    from runtime.store.contract.traces import TraceStore

    return cls if issubclass(cls, TraceStore) else type(cls.__name__, (mixin, cls), {})


def open_trace_store(kind, tmp_path, url=None):
    if kind == "file":
        from runtime.store.file.store import FileStore
        from runtime.store.file.traces import TraceFileStoreMixin

        return trace_capable(FileStore, TraceFileStoreMixin)(str(tmp_path / "mlruns"))
    from runtime.store.sql.store import SqlStore
    from runtime.store.sql.traces import TraceSqlStoreMixin

    return trace_capable(SqlStore, TraceSqlStoreMixin)(url, (tmp_path / "artifacts").as_uri())


@contextlib.contextmanager
def trace_store_on(kind, tmp_path):
    """A fresh trace store of one backend kind; its database is dropped afterwards."""
    manager = contextlib.nullcontext() if kind == "file" else database_uri(kind, tmp_path)
    with manager as url:
        store = open_trace_store(kind, tmp_path, url)
        store.backend_kind = kind
        try:
            yield store
        finally:
            store.close()


@pytest.fixture(params=BACKENDS)
def trace_store(request, tmp_path):
    with trace_store_on(request.param, tmp_path) as store:
        yield store
