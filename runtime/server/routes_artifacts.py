"""The artifacts proxy under /api/2.0/mlflow-artifacts/artifacts (and /ajax-api/...).

Clients upload (PUT), download (GET <path>), list (GET ?path=) and delete
(DELETE) files below --artifacts-destination. Bodies are streamed in both
directions in fixed-size chunks, never whole in memory. On a local
destination an upload goes to a temp file beside its target and is renamed
into place when complete. On a remote one (s3://) the request body is piped
into a multipart upload as it arrives and a download is piped from the
store to the client. A download is sent as an attachment with its
Content-Length. Every path is checked twice: its text (no '..' in any
encoding, no absolute path, no NUL) and where it resolves (symlinks inside
the root may not lead outside it).
"""

import asyncio
import mimetypes
import os
import posixpath
import re
import tempfile

from runtime.errors import InvalidParameter, MlfError, NotFound
from runtime.server.routing import error_response, internal_error_response, json_response, rpc_routes
from runtime.wire.protocol import rpc_info
from runtime.validation import validate_artifact_path

SERVICE = "mlflow.artifacts.MlflowArtifactsService."
CHUNK_SIZE = 1 << 20
# '..' followed by characters some servers treat as separators or terminators ('..;', '..?', '..#').
_DOTDOT_TRICK = re.compile(r"(^|[/\\])\.\.[;?#]")


def checked_path(raw, allow_empty=False):
    """A client-supplied artifact path, refused when it could name anything outside the root."""
    if raw is None:
        raw = ""
    if _DOTDOT_TRICK.search(raw):
        raise InvalidParameter(f"Invalid path {raw!r}: '..' is not allowed")
    path = validate_artifact_path(raw, allow_empty=allow_empty)
    if not allow_empty and not path:
        raise InvalidParameter("Missing artifact path")
    return path


class ArtifactProxy:
    """Streams files between clients and a local --artifacts-destination."""

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def root(self):
        from runtime.tracking_uri import local_path_from_uri

        destination = self.ctx.config.artifacts_destination
        from runtime.artifacts.repository import artifact_scheme

        if artifact_scheme(destination) != "file":
            return None
        return os.path.realpath(os.path.abspath(local_path_from_uri(destination)))

    def local_target(self, relative):
        from runtime.fsutil import contained_path

        root = self.root
        os.makedirs(root, exist_ok=True)
        return contained_path(root, relative)

    @property
    def repository(self):
        return self.ctx.artifact_repository

    # list -------------------------------------------------------------------
    def list_artifacts(self, body, request):
        path = checked_path(body.get("path"), allow_empty=True)
        if self.root is not None:
            self.local_target(path)  # refuses symlinks that lead outside the root
        files = []
        for info in self.repository.list_artifacts(path or None):
            entry = {"path": posixpath.basename(info.path), "is_dir": info.is_dir}
            if not info.is_dir and info.file_size is not None:
                entry["file_size"] = info.file_size
            files.append(entry)
        return {"files": files} if files else {}

    # delete -----------------------------------------------------------------
    def delete_artifact(self, body, request):
        path = checked_path(body.get("artifact_path"))
        if self.root is not None:
            target = self.local_target(path)
            if not os.path.lexists(target):
                raise NotFound(f"No artifact at {path!r}")
        removed = self.repository.delete_artifacts(path)
        if removed == 0:  # a remote store tells how many objects went
            raise NotFound(f"No artifact at {path!r}")
        return {}

    # download ---------------------------------------------------------------
    async def download(self, request):
        try:
            path = checked_path(request.path_params.get("artifact_path"))
            return await self._download(path)
        except MlfError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - answer in MLflow's error format
            return internal_error_response(exc)

    async def _download(self, path):
        from starlette.responses import FileResponse

        name = posixpath.basename(path)
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if self.root is not None:
            target = self.local_target(path)
            if not os.path.isfile(target):
                raise NotFound(f"No artifact file at {path!r}")
            return FileResponse(target, media_type=media_type, filename=name, content_disposition_type="attachment")
        from starlette.concurrency import run_in_threadpool

        from runtime.server.artifact_files import open_streamed

        streamed = await open_streamed(self.repository, path, media_type)
        if streamed is not None:
            return streamed
        # Another remote destination: fetch to a temp file first, then stream that.
        from starlette.background import BackgroundTask

        folder = tempfile.mkdtemp(prefix="mlf-proxy-")
        local = await run_in_threadpool(self.repository.download_artifacts, path, folder)
        if not os.path.isfile(local):
            raise NotFound(f"No artifact file at {path!r}")
        import shutil

        return FileResponse(local, media_type=media_type, filename=name, content_disposition_type="attachment",
                            background=BackgroundTask(shutil.rmtree, folder, True))

    # upload -----------------------------------------------------------------
    async def upload(self, request):
        from starlette.requests import ClientDisconnect
        from starlette.responses import Response

        try:
            path = checked_path(request.path_params.get("artifact_path"))
            await self._upload(path, request)
        except MlfError as exc:
            return error_response(exc)
        except ClientDisconnect:
            # The client went away mid-body: nothing was stored (temp file removed, multipart
            # upload aborted) and nobody is left to answer, so no error is logged either.
            return Response(status_code=400)
        except Exception as exc:  # noqa: BLE001 - answer in MLflow's error format
            return internal_error_response(exc)
        return Response(status_code=200)

    async def _upload(self, path, request):
        if self.root is not None:
            target = self.local_target(path)
            if os.path.isdir(target):
                raise InvalidParameter(f"Invalid path {path!r}: it names a folder")
            await _stream_to_file(request, target)
            return
        from starlette.concurrency import run_in_threadpool

        if hasattr(self.repository, "upload_stream"):
            media_type = mimetypes.guess_type(path)[0]  # from the name, as the CLI does, not from the client
            reader = RequestBodyReader(request, asyncio.get_running_loop())
            await run_in_threadpool(self.repository.upload_stream, reader, path, media_type)
            return
        folder = tempfile.mkdtemp(prefix="mlf-proxy-")
        try:
            local = os.path.join(folder, posixpath.basename(path))
            await _stream_to_file(request, local)
            parent = posixpath.dirname(path) or None
            await run_in_threadpool(self.repository.log_artifact, local, parent)
        finally:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


class RequestBodyReader:
    """A blocking, non-seekable file over an ASGI request body, for code in worker threads.

    read(n) asks the event loop for chunks until it has n bytes or the body ends, so a
    multipart upload pulls the body part by part while the client's socket gives the
    back-pressure (the server stops reading while no part is wanted).
    """

    def __init__(self, request, loop):
        self._chunks = request.stream().__aiter__()
        self._loop = loop
        self._buffer = bytearray()
        self._ended = False

    def readable(self):
        return True

    def seekable(self):
        return False

    async def _next_chunk(self):
        try:
            return await self._chunks.__anext__()
        except StopAsyncIteration:
            return None

    def read(self, size=-1):
        whole = size is None or size < 0
        while not self._ended and (whole or len(self._buffer) < size):
            chunk = asyncio.run_coroutine_threadsafe(self._next_chunk(), self._loop).result()
            if chunk is None:
                self._ended = True
            else:
                self._buffer += chunk
        count = len(self._buffer) if whole else min(size, len(self._buffer))
        with memoryview(self._buffer) as view:
            data = bytes(view[:count])  # one copy of the part, not two
        del self._buffer[:count]
        return data


async def _stream_to_file(request, target):
    """Write the request body to target chunk by chunk; it appears there only when complete."""
    from runtime.fsutil import atomic_writer

    with atomic_writer(target) as handle:
        async for chunk in request.stream():
            if chunk:
                handle.write(chunk)


def _disabled_routes():
    """With --no-serve-artifacts the proxy answers 503 on all its paths, as MLflow does."""
    from starlette.routing import Route

    async def disabled(request):
        return json_response({
            "error_code": "TEMPORARILY_UNAVAILABLE",
            "message": f"Endpoint: {request.url.path} disabled due to the mlf server running with "
                       "`--no-serve-artifacts`. To enable artifacts server functionality, run `mlf server` "
                       "with `--serve-artifacts`",
        }, status=503)

    out = []
    for rpc in ("listArtifacts", "downloadArtifact", "uploadArtifact", "deleteArtifact"):
        for method, path in rpc_info(SERVICE + rpc)["endpoints"]:
            out.append(Route(path, disabled, methods=[method]))
    return out


def routes(ctx):
    from starlette.routing import Route

    if not ctx.config.serve_artifacts:
        return _disabled_routes()
    proxy = ArtifactProxy(ctx)
    out = []
    out += rpc_routes(SERVICE + "listArtifacts", proxy.list_artifacts)
    out += rpc_routes(SERVICE + "deleteArtifact", proxy.delete_artifact)
    for rpc, endpoint in (("downloadArtifact", proxy.download), ("uploadArtifact", proxy.upload)):
        for method, path in rpc_info(SERVICE + rpc)["endpoints"]:
            out.append(Route(path, endpoint, methods=[method]))
    return out
