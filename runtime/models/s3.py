"""Reaching models that live behind a tracking server or in S3.

- registry and logged-model lookups through the tracking server's REST API
- mlflow-artifacts:/ downloads and uploads through /api/2.0/mlflow-artifacts/artifacts
- s3:// through boto3 (MLFLOW_S3_ENDPOINT_URL honoured)
requests and boto3 are imported only here, when a remote model is used.
"""

import os
import posixpath
from urllib.parse import quote, urlparse

from runtime.errors import InvalidParameter, MlfError, NotFound

_ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"


def _session():
    import requests

    session = requests.Session()
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    user = os.environ.get("MLFLOW_TRACKING_USERNAME")
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    elif user:
        session.auth = (user, os.environ.get("MLFLOW_TRACKING_PASSWORD", ""))
    if os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true":
        session.verify = False
    elif os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH"):
        session.verify = os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"]
    return session


def _check(response, what):
    if response.status_code == 404:
        raise NotFound(f"{what}: not found ({_error_message(response)})")
    if response.status_code >= 400:
        raise MlfError(f"{what}: the server answered {response.status_code} ({_error_message(response)})")
    return response


def _error_message(response):
    try:
        return response.json().get("message") or response.text[:200]
    except ValueError:
        return response.text[:200]


def _get_json(tracking_uri, endpoint, params, what):
    with _session() as session:
        response = session.get(tracking_uri.rstrip("/") + endpoint, params=params, timeout=120)
        return _check(response, what).json()


# ---- registry -----------------------------------------------------------------------------
def registry_download_uri(tracking_uri, parsed):
    name = parsed["name"]
    version = parsed["version"]
    what = f"models:/{name}"
    if parsed["alias"]:
        body = _get_json(tracking_uri, "/api/2.0/mlflow/registered-models/alias",
                         {"name": name, "alias": parsed["alias"]}, f"{what}@{parsed['alias']}")
        version = body["model_version"]["version"]
    elif parsed["stage"]:
        stage = parsed["stage"]
        body = _get_json(tracking_uri, "/api/2.0/mlflow/registered-models/get", {"name": name}, what)
        versions = body.get("registered_model", {}).get("latest_versions", [])
        if stage.lower() != "latest":
            versions = [v for v in versions if v.get("current_stage", "").lower() == stage.lower()]
        if not versions:
            raise NotFound(f"No versions of model {name!r} found in stage {stage!r}")
        version = max(versions, key=lambda v: int(v["version"]))["version"]
    body = _get_json(tracking_uri, "/api/2.0/mlflow/model-versions/get-download-uri",
                     {"name": name, "version": str(version)}, f"{what}/{version}")
    return body["artifact_uri"]


def logged_model_artifact_uri(tracking_uri, model_id):
    body = _get_json(tracking_uri, f"/api/2.0/mlflow/logged-models/{quote(model_id)}", None, f"models:/{model_id}")
    return body["model"]["info"]["artifact_uri"]


# ---- mlflow-artifacts ---------------------------------------------------------------------
def artifacts_endpoint(artifact_uri, tracking_uri):
    """(base URL of the artifacts API, artifact path) for an mlflow-artifacts or http URI."""
    parsed = urlparse(artifact_uri)
    if parsed.scheme == "mlflow-artifacts":
        if parsed.netloc:
            tracking = urlparse(tracking_uri) if tracking_uri else None
            scheme = tracking.scheme if tracking is not None and tracking.scheme in ("http", "https") else "http"
            base = f"{scheme}://{parsed.netloc}"
        else:
            if not tracking_uri or urlparse(tracking_uri).scheme not in ("http", "https"):
                raise InvalidParameter(
                    f"{artifact_uri} is served by a tracking server: set MLFLOW_TRACKING_URI to its http(s) URL"
                )
            base = tracking_uri.rstrip("/")
        return base + _ARTIFACTS_API, parsed.path.lstrip("/")
    if parsed.scheme in ("http", "https") and _ARTIFACTS_API in parsed.path:
        prefix, _, path = parsed.path.partition(_ARTIFACTS_API)
        return f"{parsed.scheme}://{parsed.netloc}{prefix}{_ARTIFACTS_API}", path.lstrip("/")
    raise InvalidParameter(f"Unsupported artifact URI {artifact_uri!r}")


def _download_artifact_tree(session, api, path, dst_path):
    response = session.get(api, params={"path": path}, timeout=120)
    files = _check(response, f"listing {path}").json().get("files", []) if response.status_code != 404 else []
    if not files:
        target = os.path.join(dst_path, posixpath.basename(path)) if path else dst_path
        _download_file(session, f"{api}/{quote(path)}", target, path)
        return target
    for info in files:
        child = info["path"]
        relative = posixpath.relpath(child, path) if path else child
        if relative.startswith("..") or posixpath.isabs(relative):
            raise MlfError(f"The artifact server listed {child!r} outside {path!r}")
        local = os.path.join(dst_path, *relative.split("/"))
        if info.get("is_dir"):
            os.makedirs(local, exist_ok=True)
            _download_artifact_tree(session, api, child, local)
        else:
            _download_file(session, f"{api}/{quote(child)}", local, child)
    return dst_path


def _download_file(session, url, target, label):
    from runtime.fsutil import atomic_write

    response = session.get(url, timeout=600)
    _check(response, f"downloading {label}")
    atomic_write(target, response.content)


def download(artifact_uri, dst_path, tracking_uri=None):
    if urlparse(artifact_uri).scheme == "s3":
        return _s3_download(artifact_uri, dst_path)
    api, path = artifacts_endpoint(artifact_uri, tracking_uri)
    with _session() as session:
        return _download_artifact_tree(session, api, path, dst_path)


def upload_file(local_file, artifact_dir_uri, tracking_uri=None):
    """Put one local file into the artifact folder at artifact_dir_uri (overwriting)."""
    name = os.path.basename(local_file)
    if urlparse(artifact_dir_uri).scheme == "s3":
        bucket, key = _s3_split(artifact_dir_uri)
        _s3_client().upload_file(local_file, bucket, posixpath.join(key, name) if key else name)
        return
    api, path = artifacts_endpoint(artifact_dir_uri, tracking_uri)
    with _session() as session, open(local_file, "rb") as handle:
        response = session.put(f"{api}/{quote(posixpath.join(path, name))}", data=handle, timeout=600)
        _check(response, f"uploading {name}")


# ---- s3 -------------------------------------------------------------------------------------
def _s3_split(uri):
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/").rstrip("/")


def _s3_client():
    try:
        import boto3
    except ImportError:
        raise MlfError("s3:// model URIs need boto3: pip install boto3") from None
    endpoint = os.environ.get("MLFLOW_S3_ENDPOINT_URL") or None
    verify = os.environ.get("MLFLOW_S3_IGNORE_TLS", "").lower() != "true"
    return boto3.client("s3", endpoint_url=endpoint, verify=verify)


def _s3_download(uri, dst_path):
    bucket, key = _s3_split(uri)
    client = _s3_client()
    prefix = key + "/" if key else ""
    paginator = client.get_paginator("list_objects_v2")
    found = False
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix):]
            if not relative or relative.endswith("/"):
                continue
            if ".." in relative.split("/"):
                raise MlfError(f"Refusing S3 key {item['Key']!r}: it leaves the model folder")
            local = os.path.join(dst_path, *relative.split("/"))
            os.makedirs(os.path.dirname(local), exist_ok=True)
            client.download_file(bucket, item["Key"], local)
            found = True
    if found:
        return dst_path
    target = os.path.join(dst_path, posixpath.basename(key))
    try:
        client.download_file(bucket, key, target)
    except Exception as exc:  # botocore raises ClientError subclasses per service
        raise NotFound(f"Nothing found at {uri}: {exc}") from None
    return target
