"""Filesystem helpers shared by the stores and artifact repositories: atomic writes, containment."""

import contextlib
import os
import tempfile

from runtime.errors import InvalidParameter


@contextlib.contextmanager
def atomic_writer(path, mode=0o644, prefix=".tmp-"):
    """A binary handle whose bytes appear at path only when the block ends without error.

    A temp file in the same folder, renamed into place; removed if anything
    fails, so readers never see half a file.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=prefix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            os.fchmod(handle.fileno(), mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path, data, mode=0o644, prefix=".tmp-"):
    """Write bytes or text to path atomically."""
    with atomic_writer(path, mode, prefix) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def atomic_copy(source, destination, mode=0o644):
    """Copy a file to destination atomically, streaming in chunks."""
    with atomic_writer(destination, mode) as out, open(source, "rb") as src:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            out.write(chunk)


def contained_path(root, relative):
    """root/relative, refusing anything (symlinks included) that resolves outside root."""
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, relative)) if relative else base
    if target != base and not target.startswith(base + os.sep):
        raise InvalidParameter(f"Invalid path {relative!r}: it resolves outside {root}")
    return target
