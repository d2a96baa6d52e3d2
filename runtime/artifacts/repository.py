"""Artifact repositories by URI scheme, and resolution of runs:/ URIs."""

from runtime.errors import InvalidParameter
from runtime.imports import load_reference
from runtime.tracking_uri import local_path_from_uri

# scheme -> "module:Class"; imported only when used.
_REPOSITORIES = {
    "file": "runtime.artifacts.local:LocalArtifactRepository",
    "mlflow-artifacts": "runtime.artifacts.http:MlflowArtifactsRepository",
    "http": "runtime.artifacts.http:MlflowArtifactsRepository",
    "https": "runtime.artifacts.http:MlflowArtifactsRepository",
    "s3": "runtime.artifacts.s3:S3ArtifactRepository",
}


def artifact_scheme(uri):
    if "://" not in uri and not uri.startswith(("file:", "mlflow-artifacts:", "runs:", "models:")):
        return "file"
    return uri.split(":", 1)[0].lower()


def get_artifact_repository(uri, **kwargs):
    scheme = artifact_scheme(uri)
    reference = _REPOSITORIES.get(scheme)
    if reference is None:
        raise InvalidParameter(f"Unsupported artifact URI {uri!r}")
    cls = load_reference(reference)
    if scheme == "file":
        return cls(local_path_from_uri(uri))
    return cls(uri, **kwargs)


def parse_runs_uri(uri):
    """runs:/<run_id>/<path> -> (run_id, path)."""
    from runtime.validation import validate_artifact_path, validate_run_id

    rest = uri[len("runs:"):].lstrip("/")
    run_id, _, path = rest.partition("/")
    if not run_id:
        raise InvalidParameter(f"Invalid runs URI {uri!r}: expected runs:/<run_id>/<path>")
    return validate_run_id(run_id), validate_artifact_path(path)


def join_uri(base, path):
    if not path:
        return base
    return base.rstrip("/") + "/" + path
