"""Where tracking data lives: explicit value, else MLFLOW_TRACKING_URI, else ./mlruns."""

import os

DEFAULT_TRACKING_URI = "mlruns"
SQL_SCHEMES = ("sqlite", "postgresql", "mysql", "mssql")


def resolve_tracking_uri(explicit=None, environ=None):
    if explicit:
        return explicit
    environ = os.environ if environ is None else environ
    return environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def uri_scheme(uri):
    """The scheme that picks a store: 'file' for plain paths, the base scheme of 'x+driver:'."""
    if "://" not in uri and not uri.startswith(("file:", "sqlite:", "http:", "https:")):
        return "file"
    scheme = uri.split(":", 1)[0].lower()
    return scheme.split("+", 1)[0]


def local_path_from_uri(uri):
    """The filesystem path of a plain path or file: URI."""
    if uri.startswith("file:"):
        from urllib.parse import unquote, urlparse

        parsed = urlparse(uri)
        if parsed.netloc not in ("", "localhost"):
            from runtime.errors import InvalidParameter

            raise InvalidParameter(f"file: URI with a remote host is not supported: {uri}")
        return unquote(parsed.path)
    return uri


def path_to_file_uri(path):
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()
