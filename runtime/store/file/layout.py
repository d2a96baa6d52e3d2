"""The file store's plumbing: folder names, one temp prefix, path containment, key/value folders.

Every writer in the file store (runs, experiments, logged models, the model
registry, traces) writes through write_atomic with TEMP_PREFIX, and every
reader of a one-file-per-key folder (tags, params, metrics, aliases) goes
through walk_key_files, which skips exactly that prefix: what one writes, the
other reads, and a key can never be mistaken for a temp file.
"""

import contextlib
import errno
import logging
import os
import posixpath
import re
import stat
import time

from runtime import validation
from runtime.errors import InvalidParameter, MlfError
from runtime.fsutil import atomic_write
from runtime.search import paging
from runtime.store.contract.tracking import SEARCH_MAX_RESULTS_THRESHOLD
from runtime.store.file import meta_yaml

_logger = logging.getLogger("mlf")

META = "meta.yaml"
TRASH = ".trash"
METRICS = "metrics"
PARAMS = "params"
TAGS = "tags"
ARTIFACTS = "artifacts"
DATASETS = "datasets"
INPUTS = "inputs"
OUTPUTS = "outputs"
# The model registry keeps its folder beside the experiments.
REGISTRY_FOLDER = "models"
# Folders inside an experiment that are not runs.
RESERVED_EXPERIMENT_FOLDERS = frozenset((TAGS, DATASETS, "traces", "models"))
RUN_NAME_TAG = "mlflow.runName"
# Temp files and folders carry '~', which no valid key or id contains, so a
# reader can never mistake one for a tag, param or run.
TEMP_PREFIX = ".mlf~"
CACHE_LIMIT = 200_000


def _current_umask():
    try:  # Linux reports it without changing it
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere the only way to read the umask is to set it; done once, at import.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()
FILE_MODE = 0o666 & ~_UMASK
DIR_MODE = 0o777 & ~_UMASK
# Ids name folders; the same rule as runtime.validation applies to them.
FOLDER_ID = re.compile(r"^[A-Za-z0-9_\-]{1,256}$")


def now_ms():
    return int(time.time() * 1000)


class MissingMeta(Exception):
    """A folder that should hold a meta.yaml holds none."""


class MalformedRecord(MlfError):
    """A run's or experiment's meta.yaml cannot be read; the record is unusable."""

    error_code = "INVALID_STATE"



def write_atomic(path, data):
    """Replace path with data in one rename (the one temp prefix, the umask's file mode)."""
    atomic_write(path, data, mode=FILE_MODE, prefix=TEMP_PREFIX)


def inside(real_root, path):
    """True when path resolves (symlinks followed) to real_root or below it."""
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root + os.sep)


def walk_key_files(folder, real_root=None, prefix=""):
    """(key, path) for every file below folder; keys use '/' for nesting.

    Temp files of writes in progress are skipped. A symlink is followed only
    when it stays inside real_root (never when real_root is None).
    """
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        name = entry.name
        if name.startswith(TEMP_PREFIX):
            continue
        key = prefix + name
        try:
            if entry.is_symlink() and (real_root is None or not inside(real_root, entry.path)):
                if real_root is not None:
                    _logger.warning("Ignoring %s: it is a symlink leading out of %s", entry.path, real_root)
                continue
            if entry.is_dir():
                yield from walk_key_files(entry.path, real_root, key + "/")
            elif entry.is_file():
                yield key, entry.path
        except OSError:
            continue


def read_text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def read_key_value_files(folder, real_root=None):
    """{key: content} of a one-file-per-key folder (keys with '/' are nested folders)."""
    return {key: read_text(path) for key, path in walk_key_files(folder, real_root)}


@contextlib.contextmanager
def filling_new_folder(folder):
    """Fill a folder just created to claim a name; if that fails, remove it so the name is free again."""
    import shutil

    try:
        yield
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


# ---------------------------------------------------------------- URIs
def resolve_uri_if_local(uri):
    """Make a relative local path or file: URI absolute (MLflow's rule); leave others alone."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit, urlunsplit

    parsed = urlsplit(uri)
    if parsed.scheme == "":
        return uri if os.path.isabs(uri) else Path.cwd().joinpath(uri).as_posix()
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        path = unquote(parsed.path)
        if not os.path.isabs(path):
            absolute = Path.cwd().joinpath(path).as_posix()
            return urlunsplit(("file", None, absolute, parsed.query, parsed.fragment))
    return uri


def append_to_uri_path(uri, *parts):
    """uri with posix path parts appended to its path component."""
    from urllib.parse import urlparse, urlunparse

    suffix = posixpath.join(*(part.strip("/") for part in parts))
    parsed = urlparse(uri)
    if parsed.scheme == "":
        return posixpath.join(uri, suffix) if uri else suffix
    prefix = ""
    if not parsed.path.startswith("/"):
        # urlunparse would turn "scheme:relative" into "scheme:///relative".
        prefix = parsed.scheme + ":"
        parsed = parsed._replace(scheme="")
    joined = posixpath.join(parsed.path, suffix) if parsed.path else suffix
    return prefix + urlunparse(parsed._replace(path=joined))



# ---------------------------------------------------------------- small helpers
def key_value_pairs(tags, what):
    """Tags given as a dict, (key, value) pairs or objects with .key/.value -> list of pairs."""
    if not tags:
        return []
    if isinstance(tags, dict):
        return list(tags.items())
    pairs = []
    for tag in tags:
        if isinstance(tag, (tuple, list)) and len(tag) == 2:
            pairs.append((tag[0], tag[1]))
        elif isinstance(tag, dict) and "key" in tag:
            pairs.append((tag["key"], tag.get("value")))
        elif hasattr(tag, "key"):
            pairs.append((tag.key, tag.value))
        else:
            raise InvalidParameter(f"Invalid {what} {tag!r}: expected a key and a value")
    return pairs


def optional_int(value, what):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{what} is {value!r}, not an integer") from None
    return value


def parse_search_args(max_results, default, filter_string, order_by, page_token, parse_filter, parse_order):
    """Check a search's arguments up front, so bad input fails even when nothing would match."""
    max_results = validation.validate_max_results(default if max_results is None else max_results,
                                                  SEARCH_MAX_RESULTS_THRESHOLD)
    comparisons = parse_filter(filter_string)
    order_keys = parse_order(order_by or [])
    paging.decode_token(page_token)
    return max_results, comparisons, order_keys



class FolderLayout:
    """Safe reads and atomic writes below the tracking root, for the file store's capability mixins.

    The host sets root_directory, _real_root and the two caches (_meta_cache, _latest_cache).
    """

    def _inside_root(self, path):
        return inside(self._real_root, path)

    def _checked(self, base, relative):
        """base/relative, refusing any symlink on the way that leads out of the root.

        ``base`` is a folder already known to be safe; only the components
        below it are looked at (one lstat each), so the common case costs
        little.
        """
        path = base
        for part in relative.split("/"):
            path = os.path.join(path, part)
            try:
                mode = os.lstat(path).st_mode
            except (FileNotFoundError, NotADirectoryError):
                return os.path.join(base, *relative.split("/"))
            if stat.S_ISLNK(mode) and not self._inside_root(path):
                raise InvalidParameter(f"Refusing to follow {path!r}: it is a symlink leading out of {self.root_directory}")
        return path

    def _is_folder_inside(self, path):
        """True for an existing folder, or a symlink to one that stays inside the root."""
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return False
        if stat.S_ISLNK(mode):
            if not self._inside_root(path):
                _logger.warning("Ignoring %s: it is a symlink leading out of %s", path, self.root_directory)
                return False
            return os.path.isdir(path)
        return stat.S_ISDIR(mode)

    def _safe_folder(self, folder):
        """False for a folder that is a symlink leading out of the root (warned about)."""
        if os.path.islink(folder) and not self._inside_root(folder):
            _logger.warning("Ignoring %s: it is a symlink leading out of %s", folder, self.root_directory)
            return False
        return True

    def _entry_is_dir(self, entry):
        """A scandir entry that is a folder inside the root (symlinks checked)."""
        try:
            if entry.is_symlink():
                if not self._inside_root(entry.path):
                    _logger.warning("Ignoring %s: it is a symlink leading out of %s", entry.path, self.root_directory)
                    return False
                return entry.is_dir()
            return entry.is_dir(follow_symlinks=False)
        except OSError:
            return False

    def _read_bytes(self, path, offset=0):
        """The bytes of a file (from offset on), never through a final symlink that leaves the root."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            if not self._inside_root(path):
                raise InvalidParameter(f"Refusing to read {path!r}: it is a symlink leading out of {self.root_directory}")
            fd = os.open(path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as handle:
            if offset:
                handle.seek(offset)
            return handle.read()

    def _read_text(self, path):
        data = self._read_bytes(path)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            _logger.warning("%s is not UTF-8 text; undecodable bytes are shown as U+FFFD", path)
            return data.decode("utf-8", errors="replace")

    def _write_atomic(self, path, text):
        write_atomic(path, text)

    def _write_meta(self, folder, data):
        path = os.path.join(folder, META)
        self._write_atomic(path, meta_yaml.dumps(data))
        self._meta_cache.pop(path, None)

    def _load_meta(self, folder):
        """The parsed meta.yaml of a folder (cached while the file is unchanged).

        Raises MissingMeta when there is none and MalformedRecord when it cannot be used.
        """
        path = os.path.join(folder, META)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            raise MissingMeta(path) from None
        except NotADirectoryError:
            raise MissingMeta(path) from None
        signature = (info.st_ino, info.st_mtime_ns, info.st_size)
        cached = self._meta_cache.get(path)
        if cached is not None and cached[0] == signature and not stat.S_ISLNK(info.st_mode):
            return cached[1]
        try:
            data = self._read_bytes(path)
            parsed = meta_yaml.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise MalformedRecord(f"{path} is not UTF-8 text ({exc.reason})") from None
        except meta_yaml.MetaYamlError as exc:
            raise MalformedRecord(f"{path} is not valid YAML: {exc}") from None
        except OSError as exc:
            raise MalformedRecord(f"{path} cannot be read: {exc.strerror or exc}") from None
        if not isinstance(parsed, dict):
            what = "empty" if parsed is None else f"a {type(parsed).__name__}, not a mapping"
            raise MalformedRecord(f"{path} is {what}")
        if len(self._meta_cache) >= CACHE_LIMIT:
            self._meta_cache.clear()
        self._meta_cache[path] = (signature, parsed)
        return parsed

    def _walk_key_files(self, folder):
        """(key, path) for every file below folder; keys use '/' for nesting."""
        if not self._safe_folder(folder):
            return iter(())
        return walk_key_files(folder, self._real_root)

    def _read_key_files(self, folder, keys=None):
        """{key: file content} for a tags or params folder (only ``keys`` when given)."""
        values = {}
        if keys is None:
            for key, path in self._walk_key_files(folder):
                try:
                    values[key] = self._read_text(path)
                except (OSError, InvalidParameter):
                    continue
            return values
        for key in keys:
            path = self._key_path(folder, key)
            if path is None:
                continue
            try:
                values[key] = self._read_text(path)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
            except (OSError, InvalidParameter) as exc:
                _logger.warning("Cannot read %s: %s", path, exc)
        return values

    def _key_path(self, folder, key):
        """folder/key for a key named in a query, or None when the key could not be stored."""
        try:
            validation.validate_key(key)
        except InvalidParameter:
            return None
        try:
            # From the run (or experiment) folder down, so the tags/params/metrics folder is checked too.
            return self._checked(os.path.dirname(folder), f"{os.path.basename(folder)}/{key}")
        except InvalidParameter as exc:
            _logger.warning("%s", exc.message)
            return None

    def _remove_tree(self, path):
        import shutil

        if os.path.islink(path):
            os.unlink(path)  # the link only, never what it points to
        else:
            shutil.rmtree(path)
        self._forget(path)

    def _forget(self, prefix):
        for cache in (self._meta_cache, self._latest_cache):
            # list() copies the keys in one step, so server threads may keep using the cache.
            for path in [p for p in list(cache) if p.startswith(prefix + os.sep)]:
                cache.pop(path, None)
