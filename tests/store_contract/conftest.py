"""One backend fixture for the whole store contract: file, SQLite, PostgreSQL, MariaDB and REST.

Every test here that takes `backend` (or a store built from it) runs on each
backend in BACKENDS; `@pytest.mark.not_on("rest", reason=...)` deselects the
backends a test cannot apply to, with the reason in the source. The stores are
opened through runtime.store.factory exactly as commands open them: nothing
is added to a store class here.
"""

import pytest

from tests.support.store_backends import BACKENDS, store_backends


def pytest_configure(config):
    config.addinivalue_line("markers", "not_on(*backends, reason): backends a contract test does not apply to")


def pytest_collection_modifyitems(config, items):
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("not_on")
        callspec = getattr(item, "callspec", None)
        if marker is not None and callspec is not None and callspec.params.get("backend") in marker.args:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def backends(tmp_path_factory):
    with store_backends(tmp_path_factory.mktemp("store-backends")) as opened:
        yield opened


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def store_uri(backend, backends, tmp_path):
    return backends.uri(backend, tmp_path)


@pytest.fixture
def local_artifact_dir(backend, backends, tmp_path):
    """A local folder a store accepts as an artifact location (a server only takes its own artifact root)."""
    return backends.artifact_dir(backend, tmp_path)


@pytest.fixture
def store(backend, store_uri, backends, tmp_path):
    """The tracking store (with its logged models, traces, assessments and scorers) of the backend."""
    opened = backends.tracking_store(backend, store_uri, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def open_registry(store_uri):
    """Opens another model registry store on the backend under test (callers close it)."""
    from runtime.store.factory import get_model_registry_store

    return lambda: get_model_registry_store(store_uri)


@pytest.fixture
def registry(open_registry, store):
    """The model registry on the same backend as `store` (opened after it, so the schema exists)."""
    opened = open_registry()
    yield opened
    opened.close()
