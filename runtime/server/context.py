"""What every route module gets: the config and lazily opened stores.

Route modules receive one ServerContext in ``routes(ctx)``. Stores open on
first use (so an --artifacts-only server never touches a database) and are
shared by all requests; each store is safe to use from several threads.
"""

import threading


class ServerContext:
    def __init__(self, config):
        self.config = config
        self._lock = threading.Lock()
        self._shared = {}

    def shared(self, key, factory):
        """The object stored under key, created once with factory() (thread-safe)."""
        value = self._shared.get(key)
        if value is None:
            with self._lock:
                value = self._shared.get(key)
                if value is None:
                    value = factory()
                    self._shared[key] = value
        return value

    @property
    def tracking_store(self):
        def open_store():
            from runtime.store.factory import get_tracking_store

            return get_tracking_store(self.config.backend_store_uri, self.config.resolved_default_artifact_root)

        return self.shared("tracking_store", open_store)

    @property
    def registry_store_uri(self):
        return self.config.resolved_registry_store_uri

    @property
    def artifact_repository(self):
        """The repository under --artifacts-destination that the proxy serves."""

        def open_repository():
            from runtime.artifacts.repository import get_artifact_repository

            return get_artifact_repository(self.config.artifacts_destination)

        return self.shared("artifact_repository", open_repository)

    def close(self):
        with self._lock:
            for value in self._shared.values():
                close = getattr(value, "close", None)
                if close is not None:
                    try:
                        close()
                    except Exception:  # noqa: BLE001 - shutting down; nothing left to tell
                        pass
            self._shared.clear()
