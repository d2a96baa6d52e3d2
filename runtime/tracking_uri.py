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
    """The scheme that picks a store: 'file' for plain paths (a Windows drive letter is not a scheme),
    else the URI's own scheme ('runs:/x' -> 'runs'), the base scheme of 'x+driver:'."""
    head, colon, _ = uri.partition(":")
    if not colon or len(head) < 2 or not head[0].isalpha() or not all(c.isalnum() or c in "+.-" for c in head):
        return "file"
    return head.lower().split("+", 1)[0]


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
