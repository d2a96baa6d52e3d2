"""The `ctx` every handler receives: streams, value sources and access to the engine."""

import os
import sys


class Context:
    def __init__(self, command_path, sources, stdout=None, stderr=None, environ=None, stores=None):
        self.command_path = command_path
        self.sources = sources  # dest -> "commandline" | "envvar" | "default"
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.environ = os.environ if environ is None else environ
        self._stores = {} if stores is None else stores  # the MCP server shares one cache across calls

    def given(self, dest):
        """True when the user chose this value (command line or env var), not the default."""
        return self.sources.get(dest) in ("commandline", "envvar")

    def tracking_uri(self, explicit=None):
        from runtime.tracking_uri import resolve_tracking_uri

        return resolve_tracking_uri(explicit, self.environ)

    def tracking_store(self, uri=None):
        """The tracking store for uri (default: the tracking URI), opened once per command."""
        uri = self.tracking_uri(uri)
        if uri not in self._stores:
            from runtime.store.factory import get_tracking_store

            self._stores[uri] = get_tracking_store(uri)
        return self._stores[uri]

    def warn(self, message):
        print(f"Warning: {message}", file=self.stderr)

    def close(self):
        for store in self._stores.values():
            store.close()
