"""Pick the tracking store implementation by URI scheme, importing only the one in use."""

import os

from runtime.errors import InvalidParameter
from runtime.imports import load_reference as _load
from runtime.tracking_uri import SQL_SCHEMES, local_path_from_uri, uri_scheme

DEFAULT_SQL_ARTIFACT_ROOT = "./mlruns"  # what mlflow uses for a SQL store without a server

# scheme -> "module:Class"; the module is imported only when a URI uses the scheme.
_STORES = {
    "file": "runtime.store.file.store:FileStore",
    **{scheme: "runtime.store.sql.store:SqlStore" for scheme in SQL_SCHEMES},
    "http": "runtime.store.rest.store:RestStore",
    "https": "runtime.store.rest.store:RestStore",
}


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


# ---- model registry --------------------------------------------------------------------------
_REGISTRY_STORES = {
    "file": "runtime.store.file.model_registry:FileModelRegistryStore",
    **{scheme: "runtime.store.sql.model_registry:SqlModelRegistryStore" for scheme in SQL_SCHEMES},
    "http": "runtime.store.rest.model_registry:RestModelRegistryStore",
    "https": "runtime.store.rest.model_registry:RestModelRegistryStore",
}


def resolve_registry_uri(explicit=None, tracking_uri=None):
    """Explicit value, else MLFLOW_REGISTRY_URI, else the tracking URI (as MLflow decides)."""
    from runtime.tracking_uri import resolve_tracking_uri

    return explicit or os.environ.get("MLFLOW_REGISTRY_URI") or resolve_tracking_uri(tracking_uri)


def get_model_registry_store(uri=None, tracking_store=None):
    """Open the model registry at uri (file path, SQL database or tracking server).

    tracking_store, when given, is where models:/<model_id> version sources are looked up.
    """
    uri = resolve_registry_uri(uri)
    scheme = uri_scheme(uri)
    reference = _REGISTRY_STORES.get(scheme)
    if reference is None:
        raise InvalidParameter(
            f"Unsupported registry URI {uri!r}: use a path, file:, sqlite:, postgresql:, mysql:, http: or https:"
        )
    cls = _load(reference)
    store = cls(local_path_from_uri(uri)) if scheme == "file" else cls(uri)
    if tracking_store is not None:
        store.tracking_store = tracking_store
    return store
