"""Sending one artifact file to a browser or client, as MLflow's UI download routes do.

Files always go out as attachments (never rendered on the server's own
origin), with the MIME type MLflow picks:
text formats the UI previews (logs, configs, code, ``MLmodel``, ``MLproject``)
as text/plain, everything else by its extension (images stay images), and
application/octet-stream when unknown.
"""

import mimetypes
import os
import posixpath
import shutil
import tempfile
import unicodedata
from urllib.parse import quote

from runtime.errors import InvalidParameter, NotFound

TEXT_EXTENSIONS = frozenset({
    "txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml", "yaml",
    "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "ipynb", "MLmodel", "MLproject",
})
# Characters a header token may hold unquoted (RFC 7230 tchar).
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def guess_mime_type(name):
    """MIME type for a file name: MLflow's text extensions first, then the standard table."""
    name = posixpath.basename(name)
    extension = os.path.splitext(name)[1].lstrip(".") or name
    if extension in TEXT_EXTENSIONS:
        return "text/plain"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _header_value(text):
    if text and all(c in _TOKEN_CHARS for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def content_disposition(name):
    """attachment; filename=... (with an RFC 5987 filename* for names that are not ASCII)."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii") or "download"
        return f"attachment; filename={_header_value(fallback)}; filename*=UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"
    return f"attachment; filename={_header_value(name)}"


def attachment_headers(name):
    # X-Content-Type-Options: nosniff is added to every answer by the security middleware.
    return {"Content-Disposition": content_disposition(posixpath.basename(name))}


def attachment_response(payload, name):
    """Bytes (or text) sent as the artifact file `name`."""
    from starlette.responses import Response

    return Response(payload, media_type=guess_mime_type(name), headers=attachment_headers(name))


CHUNK_SIZE = 1 << 20


async def open_streamed(repository, path, media_type=None):
    """A response piping a remote store's file to the client (S3: the object body), or None when
    the repository cannot stream. A missing file is NotFound naming the artifact path only."""
    if not hasattr(repository, "open_download"):
        return None
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import StreamingResponse

    from runtime.artifacts.s3_client import MissingObject

    try:
        body, size = await run_in_threadpool(repository.open_download, path)
    except MissingObject:
        raise NotFound(f"No artifact file at '{path}'") from None  # not the store's own location

    def chunks():
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()

    headers = attachment_headers(path)
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(chunks(), media_type=media_type or guess_mime_type(path), headers=headers)


async def send_artifact(repository, path):
    """A streamed response for the file at path in repository (local files directly, remote stores
    piped through when they can stream, others via a temp copy)."""
    from starlette.background import BackgroundTask
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse

    streamed = await open_streamed(repository, path)
    if streamed is not None:
        return streamed
    name = posixpath.basename(path)
    local_root = getattr(repository, "root", None)
    if local_root is not None:
        from runtime.fsutil import contained_path

        target = contained_path(local_root, path)
        if os.path.isdir(target):
            raise InvalidParameter(f"Artifact path refers to a directory, not a file: '{path}'")
        if not os.path.isfile(target):
            raise NotFound(f"No artifact file at '{path}'")
        return FileResponse(target, media_type=guess_mime_type(name), headers=attachment_headers(name))
    folder = tempfile.mkdtemp(prefix="mlf-artifact-")
    try:
        local = await run_in_threadpool(repository.download_artifacts, path, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not os.path.isfile(local):
        shutil.rmtree(folder, ignore_errors=True)
        raise NotFound(f"No artifact file at '{path}'")
    return FileResponse(local, media_type=guess_mime_type(name), headers=attachment_headers(name),
                        background=BackgroundTask(shutil.rmtree, folder, True))
