"""Artifact operations by run id or URI, shared by the CLI handlers and gc."""

import os
import posixpath
import tempfile

from runtime.artifacts.repository import artifact_scheme, get_artifact_repository, join_uri, parse_runs_uri
from runtime.validation import validate_artifact_path


def repository_for_uri(uri, tracking_uri=None):
    kwargs = {"tracking_uri": tracking_uri} if artifact_scheme(uri) in ("mlflow-artifacts",) else {}
    return get_artifact_repository(uri, **kwargs)


def repository_for_run(store, run_id, tracking_uri=None):
    run = store.get_run(run_id)
    return repository_for_uri(run.info.artifact_uri, tracking_uri)


def root_and_path(store, uri):
    """(the artifact root URI, the path below it) a runs:/ URI, local path, file: or remote URI names."""
    if artifact_scheme(uri) == "runs":
        run_id, path = parse_runs_uri(uri)
        return store.get_run(run_id).info.artifact_uri, path
    if artifact_scheme(uri) == "file":
        from runtime.tracking_uri import local_path_from_uri

        local = os.path.abspath(local_path_from_uri(uri))
        return os.path.dirname(local), os.path.basename(local)
    # Remote URIs: the last segment is the file or folder, the rest its root.
    head, _, name = uri.rstrip("/").rpartition("/")
    if not name or head.endswith((":", ":/")):
        return uri, ""
    return head, validate_artifact_path(name)


def download(store, *, run_id=None, artifact_path=None, artifact_uri=None, dst_path=None, tracking_uri=None):
    """Download and return the local path of the copy.

    As mlflow places it: the file or folder lands in dst_path under its own
    name (`-a dir/sub` gives dst_path/sub), a whole run's artifacts in dst_path.
    """
    if bool(run_id) == bool(artifact_uri):
        from runtime.errors import UsageError

        raise UsageError("Give exactly one of a run id or an artifact URI.")
    if artifact_uri:
        if artifact_path:
            from runtime.errors import UsageError

            raise UsageError.for_param("artifact_path", "goes with a run id, not with an artifact URI.")
        root, path = root_and_path(store, artifact_uri)
    else:
        root, path = store.get_run(run_id).info.artifact_uri, validate_artifact_path(artifact_path)
    parent, name = posixpath.split(path)
    repository = repository_for_uri(join_uri(root, parent), tracking_uri)
    destination = dst_path or tempfile.mkdtemp(prefix="mlf-artifacts-")
    os.makedirs(destination, exist_ok=True)
    return repository.download_artifacts(name, destination)


def run_artifact_uri(store, run_id, artifact_path=None):
    return join_uri(store.get_run(run_id).info.artifact_uri, validate_artifact_path(artifact_path))
