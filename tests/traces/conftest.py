"""Trace stores of each local backend for the trace tests outside the store contract
(tests/store_contract/test_traces.py holds the contract itself)."""

import contextlib

from tests.sql_store.conftest import database_uri

BACKENDS = ["file", "sqlite", "postgresql", "mysql"]


@contextlib.contextmanager
def trace_store_on(kind, tmp_path):
    """A fresh tracking store (traces included) of one backend kind; its database is dropped afterwards."""
    from runtime.store.factory import get_tracking_store

    manager = contextlib.nullcontext(str(tmp_path / "mlruns")) if kind == "file" else database_uri(kind, tmp_path)
    with manager as uri:
        store = get_tracking_store(uri, (tmp_path / "artifacts").as_uri())
        try:
            yield store
        finally:
            store.close()
