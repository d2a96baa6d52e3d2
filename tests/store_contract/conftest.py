"""One store fixture, parametrized over every backend; the contract tests use only the TrackingStore API."""

import pytest

from tests.support.databases import database_available, fresh_database

BACKENDS = ["file", "sqlite", "postgresql", "mysql"]


def _open_store(kind, tmp_path):
    from runtime.store.factory import get_tracking_store

    artifact_root = (tmp_path / "artifacts").as_uri()
    if kind == "file":
        return get_tracking_store(str(tmp_path / "mlruns")), None
    if kind == "sqlite":
        return get_tracking_store(f"sqlite:///{tmp_path / 'mlf.db'}", artifact_root), None
    if not database_available(kind):
        pytest.fail(f"{kind} is not reachable on 127.0.0.1; it must be running for the contract suite")
    manager = fresh_database(kind)
    url = manager.__enter__()
    return get_tracking_store(url, artifact_root), manager


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    tracking_store, manager = _open_store(request.param, tmp_path)
    yield tracking_store
    tracking_store.close()
    if manager is not None:
        manager.__exit__(None, None, None)


@pytest.fixture
def backend(store):
    return type(store).__name__
