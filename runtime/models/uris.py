"""Model URIs -> a local model directory.

Accepted forms:
  /path/to/model, relative/path, file:///path        used in place
  runs:/<run_id>/<path>                             the run's artifact_uri (tracking store) + path
  models:/<name>/<version>, models:/<name>@<alias>,
  models:/<name>/<stage>, models:/<name>/latest     the registry's download URI for that version
  models:/<model_id>                                a logged model's artifact location
  mlflow-artifacts:/<path>, mlflow-artifacts://host:port/<path>, s3://bucket/key
Remote models are downloaded into dst_path, or a new temporary folder.
"""

import contextlib
import os
import re
import shutil
import tempfile

from runtime.errors import InvalidParameter, MlfError, NotFound
from runtime.models.models_uri import parse_models_uri
from runtime.tracking_uri import local_path_from_uri, resolve_tracking_uri, uri_scheme



def scheme_of(uri):
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", uri) and not re.match(r"^[A-Za-z]:[\\/]", uri):
        return uri.split(":", 1)[0].lower()
    return ""


def is_local_uri(uri):
    return scheme_of(uri) in ("", "file")


def resolve_model_uri(model_uri, dst_path=None, tracking_uri=None):
    """Return a local directory holding the model (downloading it if it is remote)."""
    if not model_uri:
        raise InvalidParameter("A model URI is required")
    if is_local_uri(model_uri):
        path = os.path.abspath(local_path_from_uri(model_uri))
        if not os.path.exists(path):
            raise NotFound(f"Model path {model_uri} does not exist")
        return path
    artifact_uri = underlying_artifact_uri(model_uri, tracking_uri)
    if is_local_uri(artifact_uri):
        path = local_path_from_uri(artifact_uri)
        if not os.path.exists(path):
            raise NotFound(f"Model {model_uri} resolves to {path}, which does not exist")
        return os.path.abspath(path)
    destination = dst_path or tempfile.mkdtemp(prefix="mlf-model-")
    return download_artifacts(artifact_uri, destination, tracking_uri)


@contextlib.contextmanager
def local_model(model_uri, tracking_uri=None):
    """resolve_model_uri as a context: a temporary download is removed afterwards."""
    if is_local_uri(model_uri):
        yield resolve_model_uri(model_uri)
        return
    scratch = tempfile.mkdtemp(prefix="mlf-model-")
    try:
        yield resolve_model_uri(model_uri, os.path.join(scratch, "model"), tracking_uri)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def underlying_artifact_uri(model_uri, tracking_uri=None):
    """runs:/ and models:/ URIs -> the artifact URI they stand for; others unchanged.

    A registry may answer with another runs:/ or models:/ URI (a version's source), so this
    follows the chain a few steps."""
    uri = model_uri
    for _ in range(5):
        if scheme_of(uri) not in ("runs", "models"):
            return uri
        uri = _one_step(uri, tracking_uri)
    raise InvalidParameter(f"Model URI {model_uri} does not resolve to a storage location (stopped at {uri})")


def _one_step(model_uri, tracking_uri):
    scheme = scheme_of(model_uri)
    if scheme == "runs":
        from runtime.artifacts.repository import join_uri, parse_runs_uri

        run_id, path = parse_runs_uri(model_uri)
        store = _tracking_store(tracking_uri)
        run = store.get_run(run_id)
        in_run = join_uri(run.info.artifact_uri, path)
        if is_local_uri(in_run) and os.path.exists(local_path_from_uri(in_run)):
            return in_run
        return _logged_model_of_run(store, run, path) or in_run
    return models_uri_to_artifact_uri(model_uri, tracking_uri)


def _logged_model_of_run(store, run, path):
    """MLflow 3 keeps `log_model(name=...)` output in a logged model, not in the run's artifacts:
    runs:/<run_id>/<name>/<rest> then means that model's artifact location + <rest>."""
    search = getattr(store, "search_logged_models", None)
    name, _, rest = path.partition("/")
    if search is None or not name:
        return None
    quoted = name.replace("'", "\\'")
    token = None
    while True:
        page = search([run.info.experiment_id], filter_string=f"name = '{quoted}'", page_token=token)
        for model in page:
            if getattr(model, "source_run_id", None) == run.info.run_id and model.artifact_location:
                from runtime.artifacts.repository import join_uri

                return join_uri(model.artifact_location, rest)
        token = getattr(page, "token", None)
        if not token:
            return None


def models_uri_to_artifact_uri(model_uri, tracking_uri=None):
    parsed = parse_models_uri(model_uri)
    tracking_uri = resolve_tracking_uri(tracking_uri)
    if "model_id" in parsed:
        return logged_model_artifact_uri(parsed["model_id"], tracking_uri)
    return registry_download_uri(parsed, tracking_uri)


# ---- registry resolution: pluggable -----------------------------------------------------------
# A registry resolver takes (parsed models:/ URI dict, registry URI) and returns the artifact URI
# of that model version. set_registry_resolver() installs one explicitly; otherwise the registry
# stores' resolver (runtime.store.model_registry_resolve) answers, for file, SQL and http(s)
# registries (MLFLOW_REGISTRY_URI, else the tracking URI).
_registry_resolver = None


def set_registry_resolver(resolver):
    global _registry_resolver
    _registry_resolver = resolver


def registry_download_uri(parsed, tracking_uri):
    from runtime.store.factory import resolve_registry_uri

    registry_uri = resolve_registry_uri(None, tracking_uri)
    if _registry_resolver is not None:
        return _registry_resolver(parsed, registry_uri)
    from runtime.store.model_registry_resolve import registry_resolver

    return registry_resolver(parsed, registry_uri)


def logged_model_artifact_uri(model_id, tracking_uri):
    store = _tracking_store(tracking_uri)
    getter = getattr(store, "get_logged_model", None)
    if getter is None:
        raise MlfError(f"The tracking store at {tracking_uri} cannot look up logged models (models:/{model_id})")
    location = getter(model_id).artifact_location
    if not location:
        raise NotFound(f"Logged model {model_id} has no artifact location")
    return location


def _tracking_store(tracking_uri):
    from runtime.store.factory import get_tracking_store

    return get_tracking_store(resolve_tracking_uri(tracking_uri))


# ---- downloading ------------------------------------------------------------------------------
def download_artifacts(artifact_uri, dst_path, tracking_uri=None):
    """Copy the file or folder at artifact_uri into dst_path; return the local path."""
    os.makedirs(dst_path, exist_ok=True)
    scheme = scheme_of(artifact_uri)
    if scheme not in ("", "file", "mlflow-artifacts", "http", "https", "s3"):
        raise InvalidParameter(
            f"Unsupported model location {artifact_uri!r}: use a local path, file:, runs:/, models:/, "
            "mlflow-artifacts:/ or s3://"
        )
    return _repository(artifact_uri, tracking_uri).download_artifacts("", dst_path)


def download_file(artifact_dir_uri, name, dst_path, tracking_uri=None):
    """Copy one file of the artifact folder at artifact_dir_uri into dst_path (NotFound if absent)."""
    return _repository(artifact_dir_uri, tracking_uri).download_artifacts(name, dst_path)


def upload_file(local_file, artifact_dir_uri, tracking_uri=None):
    """Put one local file into the artifact folder at artifact_dir_uri (overwriting it)."""
    return _repository(artifact_dir_uri, tracking_uri).log_artifact(local_file)


def _repository(artifact_uri, tracking_uri):
    from runtime.artifacts.repository import artifact_scheme, get_artifact_repository

    if artifact_scheme(artifact_uri) == "file":
        return get_artifact_repository(artifact_uri)
    return get_artifact_repository(artifact_uri, tracking_uri=resolve_tracking_uri(tracking_uri))
