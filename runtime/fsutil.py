"""Filesystem helpers shared by the stores and artifact repositories: atomic writes, containment."""

import contextlib
import os
import tempfile

from runtime.errors import InvalidParameter


def atomic_write(path, data, mode=0o644):
    """Write bytes or text to path via a temp file in the same folder and os.replace."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def atomic_copy(source, destination):
    """Copy a file to destination atomically, streaming in chunks."""
    folder = os.path.dirname(os.path.abspath(destination))
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
        os.replace(temp, destination)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


@contextlib.contextmanager
def atomic_writer(path, mode=0o644):
    """A binary handle whose bytes appear at path only when the block ends without error.

    For writes streamed in chunks (uploads, downloads): a temp file in the
    same folder, renamed into place; removed if anything fails.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def contained_path(root, relative):
    """root/relative, refusing anything (symlinks included) that resolves outside root."""
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, relative)) if relative else base
    if target != base and not target.startswith(base + os.sep):
        raise InvalidParameter(f"Invalid path {relative!r}: it resolves outside {root}")
    return target
