"""Artifacts in Amazon S3 or any S3-compatible store: s3://bucket/prefix URIs.

Same interface as runtime.artifacts.local.LocalArtifactRepository, plus upload_stream() and
open_download() for the server's proxy. Everything streams: files and request bodies go up in
8 MB multipart parts with a bounded number in memory, downloads land in a temp file beside the
target (renamed into place when complete) or are handed out as a body to iterate. "Folders"
are key prefixes, as every S3 tool sees them. Settings and credentials: runtime.artifacts.s3_client.
"""

import mimetypes
import os
import posixpath
from urllib.parse import urlparse

from runtime.artifacts.s3_client import (
    MissingObject,
    bucket_owner_args,
    s3_client,
    s3_errors,
    transfer_config,
    upload_extra_args,
)
from runtime.entities import FileInfo
from runtime.errors import InvalidParameter, NotFound
from runtime.validation import validate_artifact_path

DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys
PARALLEL_FILES = 8  # files of a folder in flight at once (each with its own bounded part buffers)


def parse_s3_uri(uri):
    """s3://bucket/some/prefix -> ('bucket', 'some/prefix'), refusing what is not a plain location."""
    parsed = urlparse(uri)
    if parsed.scheme.lower() != "s3" or not parsed.netloc:
        raise InvalidParameter(f"Invalid S3 URI {uri!r}: expected s3://<bucket>/<path>")
    if parsed.query or parsed.fragment:
        raise InvalidParameter(f"Invalid S3 URI {uri!r}: it can't have a query or a fragment")
    prefix = parsed.path.strip("/")
    if prefix:
        prefix = validate_artifact_path(prefix)
    return parsed.netloc, prefix


class S3ArtifactRepository:
    def __init__(self, uri, **_options):
        # (tracking_uri and other options given to every remote repository mean nothing for S3.)
        self.uri = uri
        self.bucket, self.prefix = parse_s3_uri(uri)

    # keys -----------------------------------------------------------------
    def _relative(self, artifact_path):
        return validate_artifact_path(artifact_path or "")

    def _key(self, relative):
        if self.prefix and relative:
            return f"{self.prefix}/{relative}"
        return self.prefix or relative

    def _errors(self, key=""):
        return s3_errors(self.bucket, key)

    # upload ---------------------------------------------------------------
    def _upload(self, handle, key, content_type=None):
        client = s3_client()
        extra = upload_extra_args()
        if content_type and "ContentType" not in extra:
            extra["ContentType"] = content_type
        with self._errors(key):
            client.upload_fileobj(handle, self.bucket, key, ExtraArgs=extra or None, Config=transfer_config())

    def _upload_file(self, local_file, key):
        with open(local_file, "rb") as handle:
            self._upload(handle, key, mimetypes.guess_type(local_file)[0])

    def log_artifact(self, local_file, artifact_path=None):
        if not os.path.isfile(local_file):
            raise InvalidParameter(f"Local file {local_file} does not exist or is not a file")
        relative = self._relative(artifact_path)
        name = os.path.basename(local_file)
        self._upload_file(local_file, self._key(posixpath.join(relative, name) if relative else name))

    def log_artifacts(self, local_dir, artifact_path=None):
        if not os.path.isdir(local_dir):
            raise InvalidParameter(f"Local folder {local_dir} does not exist or is not a folder")
        relative = self._relative(artifact_path)
        uploads = []
        for current, _dirs, files in os.walk(local_dir):
            inner = os.path.relpath(current, local_dir)
            inner = "" if inner == "." else inner.replace(os.sep, "/")
            folder = posixpath.join(relative, inner) if relative and inner else (relative or inner)
            for name in sorted(files):
                uploads.append((os.path.join(current, name), self._key(posixpath.join(folder, name) if folder else name)))
        _in_parallel(self._upload_file, uploads)

    def upload_stream(self, stream, artifact_path, content_type=None):
        """Store what a file-like stream yields (read(n) until b'') at artifact_path, in parts."""
        relative = self._relative(artifact_path)
        if not relative:
            raise InvalidParameter("Missing artifact path")
        self._upload(stream, self._key(relative), content_type)

    # list -----------------------------------------------------------------
    def _pages(self, prefix, delimiter=None):
        client = s3_client()
        arguments = {"Bucket": self.bucket, "Prefix": prefix, **bucket_owner_args()}
        if delimiter:
            arguments["Delimiter"] = delimiter
        with self._errors(prefix):
            yield from client.get_paginator("list_objects_v2").paginate(**arguments)

    def list_artifacts(self, path=None):
        """The files and folders directly below path (empty when path is a file or absent)."""
        relative = self._relative(path)
        key = self._key(relative)
        prefix = f"{key}/" if key else ""
        infos = []
        for page in self._pages(prefix, "/"):
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"][len(prefix):].rstrip("/")
                if name and _plain_name(name):
                    infos.append(FileInfo(posixpath.join(relative, name) if relative else name, True, None))
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix):]
                if name and _plain_name(name):  # the folder marker itself has an empty name
                    infos.append(FileInfo(posixpath.join(relative, name) if relative else name, False, item["Size"]))
        return sorted(infos, key=lambda info: info.path)

    def _keys_below(self, key):
        """(relative name, size) of every object below key/ (recursively)."""
        prefix = f"{key}/" if key else ""
        for page in self._pages(prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix):]
                if name and not name.endswith("/"):
                    yield name, item["Size"]

    # download -------------------------------------------------------------
    def open_download(self, path):
        """(body, size) of one artifact file: body has iter_chunks(), read() and close()."""
        relative = self._relative(path)
        if not relative and not self.prefix:
            raise InvalidParameter("Missing artifact path")
        key = self._key(relative)
        with self._errors(key):
            response = s3_client().get_object(Bucket=self.bucket, Key=key, **bucket_owner_args())
        return response["Body"], response.get("ContentLength")

    def open_artifact(self, path):
        """A binary stream of one artifact file (usable in a with block)."""
        return self.open_download(path)[0]

    def _download_file(self, key, destination):
        from runtime.fsutil import atomic_writer

        with self._errors(key), atomic_writer(destination) as out:
            s3_client().download_fileobj(self.bucket, key, out, ExtraArgs=bucket_owner_args() or None,
                                         Config=transfer_config())

    def download_artifacts(self, artifact_path, dst_path):
        """Copy a file or folder into dst_path; returns the local path of the copy."""
        from runtime.fsutil import contained_path

        relative = self._relative(artifact_path)
        key = self._key(relative)
        destination = os.path.join(dst_path, relative) if relative else dst_path
        names = [name for name, _size in self._keys_below(key)]
        for name in names:  # all checked before the first byte is written
            if not _plain_name(name):
                raise InvalidParameter(f"Refusing S3 key {key}/{name!r}: it is not a plain relative path")
        if names:
            # contained_path: a crafted key can never write outside the destination folder.
            _in_parallel(self._download_file, [(f"{key}/{name}" if key else name, contained_path(destination, name))
                                               for name in names])
            return os.path.abspath(destination)
        if not key:
            os.makedirs(destination, exist_ok=True)  # an empty store is an empty folder
            return os.path.abspath(destination)
        if not relative:
            # The repository root names a single object (a model file URI): copy it by its name.
            destination = os.path.join(dst_path, posixpath.basename(key))
        try:
            self._download_file(key, destination)
        except MissingObject:
            where = f"{relative!r} under {self.uri}" if relative else self.uri
            raise NotFound(f"No artifact at {where}") from None
        return os.path.abspath(destination)

    # delete ---------------------------------------------------------------
    def delete_artifacts(self, artifact_path=None):
        """Remove the object or every object below artifact_path; returns how many were removed."""
        relative = self._relative(artifact_path)
        key = self._key(relative)
        if not key:
            raise InvalidParameter(f"Refusing to delete every object of bucket {self.bucket!r}")
        keys = [f"{key}/{name}" for name, _size in self._keys_below(key)]
        client = s3_client()
        with self._errors(key):
            try:
                client.head_object(Bucket=self.bucket, Key=key, **bucket_owner_args())
                keys.append(key)
            except Exception as exc:  # noqa: BLE001 - a missing object just means a folder (or nothing)
                if _status(exc) != 404:
                    raise
            for start in range(0, len(keys), DELETE_BATCH):
                batch = [{"Key": k} for k in keys[start:start + DELETE_BATCH]]
                answer = client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True},
                                               **bucket_owner_args())
                failed = answer.get("Errors") or []
                if failed:
                    first = failed[0]
                    raise InvalidParameter(f"S3 refused to delete s3://{self.bucket}/{first.get('Key')}: "
                                           f"{first.get('Code')} {first.get('Message')}")
        return len(keys)

    def close(self):
        pass  # clients are shared by every repository of the process


def _in_parallel(function, calls):
    """function(*arguments) for each tuple in calls, a few at a time (many small files are
    latency-bound); on the first failure nothing more starts, and it is raised."""
    if len(calls) <= 1:
        for arguments in calls:
            function(*arguments)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(PARALLEL_FILES, len(calls))) as pool:
        futures = [pool.submit(function, *arguments) for arguments in calls]
        try:
            for future in futures:
                future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # start nothing more
            raise


def _plain_name(name):
    """A key part that maps to a plain relative path (no '', '.', '..' segments, not absolute)."""
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _status(exc):
    response = getattr(exc, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")
