"""The UI's static files: content-hashed names, gzip-compressed once, cached immutably by browsers.

A file is served at /ui-static/<hash>/<name>, where hash is the start of its sha256; a page always
links the current hash, so a changed file gets a new URL and browsers may keep the old one forever.
"""

import gzip
import hashlib
import os
import threading

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
URL_ROOT = "/ui-static"
HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


class Asset:
    def __init__(self, name, data):
        self.name = name
        self.data = data
        self.digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        self.gzipped = gzip.compress(data, compresslevel=9, mtime=0)
        self.media_type = MEDIA_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")

    @property
    def path(self):
        return f"{URL_ROOT}/{self.digest}/{self.name}"


class AssetCatalog:
    """Every file under static/ (vendor/ included), loaded and compressed on first use."""

    def __init__(self, root=STATIC_DIR):
        self.root = root
        self._assets = None
        self._lock = threading.Lock()

    @property
    def assets(self):
        if self._assets is None:
            with self._lock:
                if self._assets is None:
                    self._assets = self._load()
        return self._assets

    def _load(self):
        assets = {}
        for folder, _dirs, files in os.walk(self.root):
            for file_name in files:
                full = os.path.join(folder, file_name)
                name = os.path.relpath(full, self.root).replace(os.sep, "/")
                with open(full, "rb") as handle:
                    assets[name] = Asset(name, handle.read())
        return assets

    def url(self, prefix, name):
        return prefix + self.assets[name].path

    def find(self, digest, name):
        asset = self.assets.get(name)
        if asset is None or asset.digest != digest:
            return None
        return asset


CATALOG = AssetCatalog()


def accepts_gzip(request):
    return "gzip" in request.headers.get("accept-encoding", "").lower()


async def serve(request):
    """The GET endpoint of /ui-static/<digest>/<name>."""
    from starlette.responses import PlainTextResponse, Response

    asset = CATALOG.find(request.path_params["digest"], request.path_params["name"])
    if asset is None:
        return PlainTextResponse("Not found", status_code=404)
    headers = {"cache-control": IMMUTABLE, "vary": "Accept-Encoding"}
    if accepts_gzip(request):
        headers["content-encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.data, media_type=asset.media_type, headers=headers)
