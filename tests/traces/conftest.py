"""Trace stores on every backend: file, SQLite, PostgreSQL and MariaDB (fresh databases, dropped after)."""

import contextlib

import pytest

from tests.support.databases import database_available, fresh_database

BACKENDS = ["file", "sqlite", "postgresql", "mysql"]


def trace_capable(cls, mixin):
    """The store class itself once it mixes traces in; until then, a subclass that does."""
    from runtime.store.trace_base import TraceStore

    return cls if issubclass(cls, TraceStore) else type(cls.__name__, (mixin, cls), {})


def open_trace_store(kind, tmp_path, url=None):
    artifact_root = (tmp_path / "artifacts").as_uri()
    if kind == "file":
        from runtime.store.file_store import FileStore
        from runtime.store.traces_file import TraceFileStoreMixin

        return trace_capable(FileStore, TraceFileStoreMixin)(str(tmp_path / "mlruns"))
    from runtime.store.sql.store import SqlStore
    from runtime.store.traces_sql import TraceSqlStoreMixin

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'mlf.db'}"
    return trace_capable(SqlStore, TraceSqlStoreMixin)(url, artifact_root)


@contextlib.contextmanager
def trace_store_on(kind, tmp_path):
    """A fresh trace store of one backend kind; its database is dropped afterwards."""
    manager = contextlib.nullcontext()
    if kind in ("postgresql", "mysql"):
        if not database_available(kind):
            pytest.fail(f"{kind} is not reachable on 127.0.0.1; it must be running for the trace store tests")
        manager = fresh_database(kind)
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
