"""Fixtures: the model registry and logged-model stores on every backend (file, SQLite,
PostgreSQL, MariaDB), each on a fresh root or a uniquely named database dropped afterwards."""

import contextlib

import pytest

from tests.support.databases import database_available, fresh_database

BACKENDS = ["file", "sqlite", "postgresql", "mysql"]
# The registry contract also runs through the REST client against an mlf server.
REGISTRY_BACKENDS = BACKENDS + ["rest"]


@pytest.fixture(scope="session")
def server_database():
    """kind -> URL of one database for this session (created on first use, dropped at the end).

    Creating and migrating a database per test costs seconds on PostgreSQL and
    MariaDB; tests share one per kind and start from emptied tables instead.
    """
    urls = {}
    with contextlib.ExitStack() as stack:
        def get(kind):
            if kind not in urls:
                if not database_available(kind):
                    pytest.fail(f"{kind} is not reachable on 127.0.0.1; it must be running for the registry suite")
                urls[kind] = stack.enter_context(fresh_database(kind))
            return urls[kind]

        yield get


def all_tables_metadata():
    """The shared Base's metadata with every area's tables registered on it."""
    import importlib

    from runtime.store.sql.models import Base

    for module in ("runtime.store.sql.models_registry", "runtime.store.sql.models_traces"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            pass
    return Base.metadata


def empty_all_tables(url):
    """Delete every row of every mlf table that exists (children first); the schema stays."""
    import sqlalchemy

    metadata = all_tables_metadata()
    engine = sqlalchemy.create_engine(url)
    try:
        existing = set(sqlalchemy.inspect(engine).get_table_names())
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                if table.name in existing:
                    connection.execute(table.delete())
    finally:
        engine.dispose()


@contextlib.contextmanager
def backend_uri(kind, tmp_path, server_database):
    if kind == "file":
        yield str(tmp_path / "mlruns")
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'mlf.db'}"
    else:
        url = server_database(kind)
        empty_all_tables(url)
        yield url


def tracking_store_with_logged_models(uri, artifact_root):
    """The tracking store for uri; stores whose class lacks the logged-model mixin get it added."""
    from runtime.store.file.logged_models import LoggedModelsFileMixin
    from runtime.store.sql.logged_models import LoggedModelsSqlMixin
    from runtime.store.contract.model_registry import LoggedModelStore
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(uri, artifact_root)
    if isinstance(store, LoggedModelStore):
        return store
    store.close()
    from runtime.store.file.store import FileStore

    mixin = LoggedModelsFileMixin if isinstance(store, FileStore) else LoggedModelsSqlMixin
    cls = type(type(store).__name__, (mixin, type(store)), {})
    return cls(store.root_directory, artifact_root) if mixin is LoggedModelsFileMixin else cls(uri, artifact_root)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def store_uri(backend, tmp_path, server_database):
    with backend_uri("sqlite" if backend == "rest" else backend, tmp_path, server_database) as uri:
        yield uri


@pytest.fixture
def rest_server(backend, store_uri, tmp_path):
    """For the "rest" backend: an mlf server (SQLite) in a thread of this process; None otherwise."""
    if backend != "rest":
        yield None
        return
    from runtime.server.config import ServerConfig
    from tests.rest_store.threaded_server import ThreadedServer

    with ThreadedServer(ServerConfig(backend_store_uri=store_uri, artifacts_destination=str(tmp_path))) as server:
        yield server


@pytest.fixture
def open_registry(store_uri, rest_server):
    """Opens another registry store on the backend under test (callers close it)."""
    from runtime.store.factory import get_model_registry_store

    return lambda: get_model_registry_store(rest_server.url if rest_server else store_uri)


@pytest.fixture
def tracking(store_uri, rest_server, tmp_path):
    if rest_server is not None:
        from runtime.store.rest.store import RestStore

        store = RestStore(rest_server.url)
    else:
        store = tracking_store_with_logged_models(store_uri, (tmp_path / "artifacts").as_uri())
    yield store
    store.close()


@pytest.fixture
def registry(open_registry, tracking):
    """The registry on the same backend as `tracking` (opened after it, so the schema exists)."""
    store = open_registry()
    yield store
    store.close()
