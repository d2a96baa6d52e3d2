"""Stores of every backend for the contract suite: file, SQLite, PostgreSQL, MariaDB and REST.

One StoreBackends object lives for a test session. File and SQLite stores get
a fresh folder or file per test (cheap); PostgreSQL and MariaDB get one
database each for the session, emptied between tests; REST is one mlf server
(in a thread of this process, over SQLite) for the session, its database
emptied between tests. Every store is opened through runtime.store.factory,
exactly as users' commands open them.
"""

import contextlib

from tests.support.databases import SessionDatabases

BACKENDS = ("file", "sqlite", "postgresql", "mysql", "rest")


class StoreBackends:
    def __init__(self, tmp_root):
        self.tmp_root = tmp_root
        self.databases = SessionDatabases()
        self._server = None
        self._rest_database = f"sqlite:///{tmp_root / 'rest-server.db'}"

    def uri(self, kind, tmp_path):
        """The store URI of a backend, empty for the test that asks."""
        if kind == "file":
            return str(tmp_path / "mlruns")
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / 'mlf.db'}"
        if kind in ("postgresql", "mysql"):
            return self.databases.emptied(kind)
        if kind == "rest":
            return self._rest_server_url()
        raise ValueError(f"unknown store backend {kind!r}")

    def artifact_dir(self, kind, tmp_path):
        """A local folder the backend's store accepts as an artifact location."""
        if kind != "rest":
            return tmp_path
        import uuid

        return self.tmp_root / "rest-artifacts" / uuid.uuid4().hex

    def _rest_server_url(self):
        if self._server is None:
            from runtime.server.config import ServerConfig
            from tests.rest_store.threaded_server import ThreadedServer

            config = ServerConfig(backend_store_uri=self._rest_database,
                                  artifacts_destination=str(self.tmp_root / "rest-artifacts"))
            self._server = ThreadedServer(config).__enter__()
        else:
            self.databases.emptied(self._rest_database)
            _recreate_default_experiment(self._rest_database, self.tmp_root)
        return self._server.url

    def tracking_store(self, kind, uri, tmp_path):
        from runtime.store.factory import get_tracking_store

        if kind == "rest":
            return get_tracking_store(uri)
        return get_tracking_store(uri, (tmp_path / "artifacts").as_uri())

    def close(self):
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None
        self.databases.close()


def _recreate_default_experiment(uri, tmp_root):
    """Opening a SQL store creates experiment 0 when it is missing (the server's store is already open)."""
    from runtime.store.factory import get_tracking_store

    get_tracking_store(uri, (tmp_root / "rest-artifacts").as_uri()).close()


@contextlib.contextmanager
def store_backends(tmp_root):
    backends = StoreBackends(tmp_root)
    try:
        yield backends
    finally:
        backends.close()
