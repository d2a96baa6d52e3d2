"""Artifact operations by run id or URI, shared by the CLI handlers and gc."""

import os
import tempfile

from runtime.artifacts.repository import artifact_scheme, get_artifact_repository, join_uri, parse_runs_uri
from runtime.validation import validate_artifact_path


def repository_for_uri(uri, tracking_uri=None):
    kwargs = {"tracking_uri": tracking_uri} if artifact_scheme(uri) in ("mlflow-artifacts",) else {}
    return get_artifact_repository(uri, **kwargs)


def repository_for_run(store, run_id, tracking_uri=None):
    run = store.get_run(run_id)
    return repository_for_uri(run.info.artifact_uri, tracking_uri)


def split_artifact_uri(store, uri, tracking_uri=None):
    """(repository, path inside it) for runs:/ URIs, local paths and file: URIs."""
    if artifact_scheme(uri) == "runs":
        run_id, path = parse_runs_uri(uri)
        return repository_for_run(store, run_id, tracking_uri), path
    if artifact_scheme(uri) == "file":
        from runtime.tracking_uri import local_path_from_uri

        local = os.path.abspath(local_path_from_uri(uri))
        parent, name = os.path.dirname(local), os.path.basename(local)
        return get_artifact_repository(parent), name
    # Remote URIs: the repository is rooted at the URI itself.
    return repository_for_uri(uri, tracking_uri), ""


def download(store, *, run_id=None, artifact_path=None, artifact_uri=None, dst_path=None, tracking_uri=None):
    """Download and return the local path of the copy."""
    if bool(run_id) == bool(artifact_uri):
        from runtime.errors import UsageError

        raise UsageError("Give exactly one of a run id or an artifact URI.")
    if artifact_uri:
        if artifact_path:
            from runtime.errors import UsageError

            raise UsageError.for_param("artifact_path", "goes with a run id, not with an artifact URI.")
        repository, path = split_artifact_uri(store, artifact_uri, tracking_uri)
    else:
        repository, path = repository_for_run(store, run_id, tracking_uri), validate_artifact_path(artifact_path)
    destination = dst_path or tempfile.mkdtemp(prefix="mlf-artifacts-")
    os.makedirs(destination, exist_ok=True)
    return repository.download_artifacts(path, destination)


def run_artifact_uri(store, run_id, artifact_path=None):
    return join_uri(store.get_run(run_id).info.artifact_uri, validate_artifact_path(artifact_path))
