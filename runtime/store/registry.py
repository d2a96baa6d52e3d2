"""Pick the tracking store implementation by URI scheme, importing only the one in use."""

import importlib
import os

from runtime.errors import InvalidParameter
from runtime.tracking_uri import SQL_SCHEMES, local_path_from_uri, uri_scheme

DEFAULT_SQL_ARTIFACT_ROOT = "./mlruns"  # what mlflow uses for a SQL store without a server

# scheme -> "module:Class"; the module is imported only when a URI uses the scheme.
_STORES = {
    "file": "runtime.store.file_store:FileStore",
    **{scheme: "runtime.store.sql.store:SqlStore" for scheme in SQL_SCHEMES},
    "http": "runtime.store.rest_store:RestStore",
    "https": "runtime.store.rest_store:RestStore",
}


def _load(reference):
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def store_class(uri):
    scheme = uri_scheme(uri)
    reference = _STORES.get(scheme)
    if reference is None:
        raise InvalidParameter(
            f"Unsupported tracking URI {uri!r}: use a path, file:, sqlite:, postgresql:, mysql:, http: or https:"
        )
    return _load(reference)


def get_tracking_store(uri, artifact_root=None):
    """Open the store for uri. artifact_root overrides the default artifact root of new experiments."""
    scheme = uri_scheme(uri)
    cls = store_class(uri)
    if scheme == "file":
        return cls(local_path_from_uri(uri), artifact_root)
    if scheme in SQL_SCHEMES:
        root = artifact_root or os.environ.get("MLFLOW_DEFAULT_ARTIFACT_ROOT") or DEFAULT_SQL_ARTIFACT_ROOT
        return cls(uri, root)
    return cls(uri)
