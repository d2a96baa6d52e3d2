"""s3:// models: download a model folder and upload single files with boto3 (imported lazily).

MLFLOW_S3_ENDPOINT_URL points at an S3-compatible store; MLFLOW_S3_IGNORE_TLS=true skips
certificate checks. (Other remote schemes go through runtime.artifacts repositories.)
"""

import os
import posixpath
from urllib.parse import urlparse

from runtime.errors import MlfError, NotFound


def upload_file(local_file, artifact_dir_uri):
    """Put one local file into the S3 folder at artifact_dir_uri (overwriting)."""
    name = os.path.basename(local_file)
    bucket, key = _s3_split(artifact_dir_uri)
    _s3_client().upload_file(local_file, bucket, posixpath.join(key, name) if key else name)


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


def download(uri, dst_path):
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
