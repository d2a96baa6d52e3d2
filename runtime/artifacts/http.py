"""Artifacts through a tracking server's proxy (mlflow-artifacts:/ and http(s) artifact URIs).

mlflow-artifacts:/<path> resolves against the tracking server (the URI's own
host if it names one, else MLFLOW_TRACKING_URI); http(s)://host/api/2.0/
mlflow-artifacts/artifacts/<path> names the proxy directly. Files stream in
both directions in chunks, never whole in memory; downloads land in a temp
file beside the target and are renamed into place. A progress bar goes to
stderr for large files when stderr is a terminal. Same interface as
runtime.artifacts.local.LocalArtifactRepository.
"""

import mimetypes
import os
import posixpath
import sys
from urllib.parse import quote, urlparse

from runtime.entities import FileInfo
from runtime.errors import InvalidParameter, MlfError, NotFound
from runtime.validation import validate_artifact_path

PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts"
CHUNK_SIZE = 1 << 20
PROGRESS_MIN_BYTES = 10 << 20


class ProgressBar:
    """A one-line progress bar on a terminal stream; silent when the stream is not a terminal."""

    def __init__(self, label, total, stream=None, min_bytes=None):
        self.stream = stream or sys.stderr
        min_bytes = PROGRESS_MIN_BYTES if min_bytes is None else min_bytes
        self.label = label
        self.total = total
        self.done = 0
        self.enabled = bool(total and total >= min_bytes and getattr(self.stream, "isatty", lambda: False)())
        self._last_percent = -1

    def update(self, count):
        self.done += count
        if not self.enabled:
            return
        percent = int(self.done * 100 / self.total) if self.total else 100
        if percent == self._last_percent:
            return
        self._last_percent = percent
        filled = percent * 30 // 100
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% "
            f"{self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB"
        )
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class _ProgressReader:
    """A file-like upload body that reports each chunk read; its length lets requests send
    Content-Length and stream it with read() instead of chunked encoding."""

    def __init__(self, handle, size, progress):
        self.handle = handle
        self.size = size
        self.progress = progress

    def __len__(self):
        return self.size

    def read(self, size=-1):
        data = self.handle.read(CHUNK_SIZE if size is None or size < 0 else min(size, CHUNK_SIZE))
        self.progress.update(len(data))
        return data


def _server_root(uri, tracking_uri):
    """(http(s) base of the proxy endpoint, path of the repository root below it)."""
    parsed = urlparse(uri)
    if parsed.scheme in ("http", "https"):
        path = parsed.path
        index = path.find(PROXY_PATH)
        if index < 0:
            raise InvalidParameter(f"Artifact URI {uri!r} does not point at a {PROXY_PATH} endpoint")
        base = f"{parsed.scheme}://{parsed.netloc}{path[:index]}{PROXY_PATH}"
        return base, path[index + len(PROXY_PATH):].strip("/")
    if parsed.scheme != "mlflow-artifacts":
        raise InvalidParameter(f"Unsupported artifact URI {uri!r} for the artifacts proxy")
    tracking = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or ""
    tracked = urlparse(tracking)
    if tracked.scheme not in ("http", "https"):
        raise InvalidParameter(
            f"Artifact URI {uri!r} needs a tracking server: set MLFLOW_TRACKING_URI to its http(s):// address"
        )
    netloc = parsed.netloc or tracked.netloc
    prefix = tracked.path.rstrip("/") if not parsed.netloc else ""
    return f"{tracked.scheme}://{netloc}{prefix}{PROXY_PATH}", parsed.path.strip("/")


class MlflowArtifactsRepository:
    def __init__(self, uri, tracking_uri=None, environ=None):
        from runtime.http_client import HostCreds, HttpClient

        self.uri = uri
        self.endpoint, self.root_path = _server_root(uri, tracking_uri)
        validate_artifact_path(self.root_path)
        self.client = HttpClient(HostCreds.from_env(self.endpoint, environ))

    # paths ----------------------------------------------------------------
    def _relative(self, artifact_path):
        return validate_artifact_path(artifact_path or "")

    def _server_path(self, relative):
        return posixpath.join(self.root_path, relative) if relative else self.root_path

    def _url(self, relative):
        return f"{self.endpoint}/{quote(self._server_path(relative))}"

    # upload ---------------------------------------------------------------
    def _upload(self, local_file, relative_target):
        size = os.path.getsize(local_file)
        media_type = mimetypes.guess_type(local_file)[0] or "application/octet-stream"
        progress = ProgressBar(f"Uploading {os.path.basename(local_file)}", size)
        try:
            with open(local_file, "rb") as handle:
                body = _ProgressReader(handle, size, progress) if progress.enabled else handle
                self.client.request("PUT", self._url(relative_target), data=body,
                                    headers={"Content-Type": media_type})
        finally:
            progress.close()

    def log_artifact(self, local_file, artifact_path=None):
        if not os.path.isfile(local_file):
            raise InvalidParameter(f"Local file {local_file} does not exist or is not a file")
        relative = self._relative(artifact_path)
        name = os.path.basename(local_file)
        self._upload(local_file, posixpath.join(relative, name) if relative else name)

    def log_artifacts(self, local_dir, artifact_path=None):
        if not os.path.isdir(local_dir):
            raise InvalidParameter(f"Local folder {local_dir} does not exist or is not a folder")
        relative = self._relative(artifact_path)
        for current, _dirs, files in os.walk(local_dir):
            inner = os.path.relpath(current, local_dir)
            inner = "" if inner == "." else inner.replace(os.sep, "/")
            folder = posixpath.join(relative, inner) if relative and inner else (relative or inner)
            for name in sorted(files):
                self._upload(os.path.join(current, name), posixpath.join(folder, name) if folder else name)

    # list -----------------------------------------------------------------
    def list_artifacts(self, path=None):
        relative = self._relative(path)
        data = self.client.call_json("GET", self.endpoint, {"path": self._server_path(relative)})
        infos = []
        for entry in data.get("files", []):
            child = posixpath.join(relative, entry["path"]) if relative else entry["path"]
            is_dir = bool(entry.get("is_dir", False))
            infos.append(FileInfo(child, is_dir, None if is_dir else int(entry.get("file_size", 0))))
        return infos

    # download -------------------------------------------------------------
    def open_artifact(self, path):
        """A binary stream of one artifact file (the HTTP response body)."""
        relative = self._relative(path)
        response = self.client.request("GET", self._url(relative), stream=True)
        response.raw.decode_content = True
        return response.raw

    def _download_file(self, relative, destination):
        from runtime.fsutil import atomic_writer

        response = self.client.request("GET", self._url(relative), stream=True)
        total = int(response.headers.get("Content-Length") or 0)
        progress = ProgressBar(f"Downloading {posixpath.basename(relative)}", total)
        try:
            with atomic_writer(destination) as out:
                for chunk in response.iter_content(CHUNK_SIZE):
                    out.write(chunk)
                    progress.update(len(chunk))
        finally:
            progress.close()
            response.close()

    def download_artifacts(self, artifact_path, dst_path):
        """Copy a file or folder into dst_path; returns the local path of the copy."""
        relative = self._relative(artifact_path)
        destination = os.path.join(dst_path, relative) if relative else dst_path
        listing = self.list_artifacts(relative)
        if not relative or listing:
            self._download_tree(relative, listing, destination)
            return os.path.abspath(destination)
        try:
            self._download_file(relative, destination)
        except MlfError as exc:
            if exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "ENDPOINT_NOT_FOUND"):
                raise NotFound(f"No artifact at {artifact_path!r} under {self.uri}") from None
            raise
        return os.path.abspath(destination)

    def _download_tree(self, relative, listing, destination):
        os.makedirs(destination, exist_ok=True)
        for info in listing:
            name = posixpath.basename(info.path)
            target = os.path.join(destination, name)
            if info.is_dir:
                self._download_tree(info.path, self.list_artifacts(info.path), target)
            else:
                self._download_file(info.path, target)

    # delete ---------------------------------------------------------------
    def delete_artifacts(self, artifact_path=None):
        relative = self._relative(artifact_path)
        if not self._server_path(relative):
            raise InvalidParameter("Refusing to delete the whole artifact store")
        self.client.request("DELETE", self._url(relative))

    def close(self):
        self.client.close()
