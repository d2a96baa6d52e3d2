"""boto3 S3 clients configured from MLflow's environment variables, and S3 failures as one-line errors.

Read each time a client is asked for (clients are cached per setting, they are thread-safe):
  MLFLOW_S3_ENDPOINT_URL            an S3-compatible endpoint (MinIO, Ceph, moto, ...)
  MLFLOW_S3_IGNORE_TLS              "true": do not verify the endpoint's TLS certificate
  MLFLOW_S3_UPLOAD_EXTRA_ARGS       JSON object of extra upload arguments (ServerSideEncryption, ...)
  MLFLOW_S3_EXPECTED_BUCKET_OWNER   account id every request checks the bucket against
  MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE  auto (default), path or virtual
Credentials and region come from boto3's own chain (environment, profiles, instance roles).
boto3 is imported here only, the first time an s3:// URI is used.
"""

import contextlib
import json
import os
import threading

from runtime.errors import InvalidParameter, MlfError, NotFound

MB = 1 << 20
# Parts of 8 MB, two uploading at a time and at most two more buffered: a streamed upload holds
# about 32 MB whatever the file size. Downloads keep at most 4 MB queued for the writer.
PART_SIZE = 8 * MB
TRANSFER_THREADS = 2
BUFFERED_PARTS = 2
DOWNLOAD_QUEUE_CHUNKS = 16
DOWNLOAD_IO_CHUNK = 256 * 1024

_clients = {}
_clients_lock = threading.Lock()


class PermissionDenied(MlfError):
    error_code = "PERMISSION_DENIED"


class StorageUnavailable(MlfError):
    error_code = "TEMPORARILY_UNAVAILABLE"


class MissingObject(NotFound):
    """No object under that key (the bucket itself exists)."""


def _flag(name):
    return os.environ.get(name, "").strip().lower() in ("true", "1", "yes")


# A client resolves its credentials once; these variables changing means a new client.
_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


def _settings():
    return (
        os.environ.get("MLFLOW_S3_ENDPOINT_URL") or None,
        not _flag("MLFLOW_S3_IGNORE_TLS"),
        os.environ.get("MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE") or "auto",
        os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or None,
    )


def s3_client():
    """A boto3 S3 client for the current environment (shared, thread-safe)."""
    settings = _settings()
    key = settings + tuple(os.environ.get(name) for name in _CREDENTIAL_VARIABLES)
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = _new_client(*settings)
    return client


def _new_client(endpoint, verify, addressing_style, region):
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise MlfError("s3:// artifact URIs need boto3: pip install boto3") from None
    options = {"signature_version": "s3v4", "s3": {"addressing_style": addressing_style},
               "max_pool_connections": 16, "retries": {"mode": "standard"}}
    try:
        # Many S3-compatible stores reject the newer default checksum headers; send them only when required.
        config = Config(**options, request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
    except TypeError:  # botocore older than 1.36 has neither option (nor the new default)
        config = Config(**options)
    if not verify:
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return boto3.session.Session().client("s3", endpoint_url=endpoint, verify=verify, region_name=region,
                                          config=config)


def upload_extra_args():
    """MLFLOW_S3_UPLOAD_EXTRA_ARGS as a dict (a clear error when it is not a JSON object)."""
    raw = os.environ.get("MLFLOW_S3_UPLOAD_EXTRA_ARGS")
    extra = {}
    if raw:
        try:
            extra = json.loads(raw)
        except ValueError:
            extra = None
        if not isinstance(extra, dict):
            raise InvalidParameter(f"MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object, got {raw!r}")
    return {**extra, **bucket_owner_args()}


def bucket_owner_args():
    owner = os.environ.get("MLFLOW_S3_EXPECTED_BUCKET_OWNER")
    return {"ExpectedBucketOwner": owner} if owner else {}


def transfer_config():
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE,
                            max_concurrency=TRANSFER_THREADS, max_io_queue=DOWNLOAD_QUEUE_CHUNKS,
                            io_chunksize=DOWNLOAD_IO_CHUNK, preferred_transfer_client="classic")
    # Non-seekable streams (the proxy's request bodies) are read into memory part by part;
    # this caps how many parts wait for an upload thread.
    config.max_in_memory_upload_chunks = BUFFERED_PARTS
    return config


_DENIED = {"AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch",
           "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AccountProblem", "403"}
_MISSING_KEY = {"NoSuchKey", "404", "NotFound"}


@contextlib.contextmanager
def s3_errors(bucket, key=""):
    """Turn boto3/botocore failures into one-line MlfErrors naming the S3 location."""
    try:
        yield
    except MlfError:
        raise
    except Exception as exc:  # noqa: BLE001 - classified below; anything else propagates unchanged
        error = translate(exc, bucket, key)
        if error is None:
            raise
        raise error from None


def translate(exc, bucket, key=""):
    """The MlfError for a boto3/botocore exception, or None when it is not one."""
    try:
        from botocore import exceptions as bc
    except ImportError:
        return None
    key = (key or "").rstrip("/")
    where = f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
    if isinstance(exc, (bc.NoCredentialsError, bc.PartialCredentialsError)):
        return PermissionDenied(f"No AWS credentials for {where}: set AWS_ACCESS_KEY_ID and "
                                "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or give the machine a role")
    if isinstance(exc, (bc.EndpointConnectionError, bc.ConnectTimeoutError, bc.ConnectionClosedError)):
        return StorageUnavailable(f"Cannot reach the S3 endpoint for {where}: {exc}")
    if isinstance(exc, bc.SSLError):
        return StorageUnavailable(f"TLS failure talking to the S3 endpoint for {where} "
                                  f"(MLFLOW_S3_IGNORE_TLS=true skips certificate checks): {exc}")
    if isinstance(exc, bc.ParamValidationError):
        return InvalidParameter(f"Invalid S3 request for {where}: {exc}")
    if isinstance(exc, bc.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        message = exc.response.get("Error", {}).get("Message") or code
        if code == "NoSuchBucket":
            return NotFound(f"S3 bucket {bucket!r} does not exist ({where})")
        if code in _MISSING_KEY:
            return MissingObject(f"No artifact at {where}")
        if code in _DENIED:
            return PermissionDenied(f"Access to {where} denied by S3 ({code}: {message})")
        if code in ("InvalidBucketName",):
            return InvalidParameter(f"Invalid S3 bucket name {bucket!r}")
        return MlfError(f"S3 request for {where} failed ({code}: {message})")
    if isinstance(exc, bc.BotoCoreError):
        return MlfError(f"S3 request for {where} failed: {exc}")
    return None
