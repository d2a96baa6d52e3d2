"""The tracking store on a local folder, in exactly the layout MLflow's FileStore writes.

    <root>/<experiment_id>/meta.yaml              experiment (tags/<key> beside it)
    <root>/<experiment_id>/<run_id>/meta.yaml     run; metrics/ params/ tags/ artifacts/
    <root>/<experiment_id>/<run_id>/inputs/<id>/meta.yaml, outputs/<model_id>/meta.yaml
    <root>/<experiment_id>/datasets/<id>/meta.yaml
    <root>/.trash/<experiment_id>/                deleted experiments

Real mlflow reads what we write and we read what it writes. Keys with '/'
are nested folders. A metric file holds one "timestamp value step" line per
logged value (plus dataset name and digest when the value was logged
against a dataset).

Every file is replaced atomically (temp file + os.replace in the same folder)
and new runs and experiments appear in one rename, so a reader never sees
half a record. A damaged meta.yaml makes its own run or experiment
unreadable (logged on the "mlf" logger and skipped by searches) without
hiding the others. Ids are validated before they name a folder, and no path
that leads out of the root through a symlink is followed.
"""

import errno
import logging
import os
import posixpath
import re
import stat
import time

from runtime import validation
from runtime.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    LifecycleStage,
    Metric,
    PagedList,
    Run,
    RunInfo,
    RunStatus,
    ViewType,
)
from runtime.errors import AlreadyExists, InvalidParameter, InvalidState, MlfError, NotFound
from runtime.fsutil import atomic_write
from runtime.run_names import generate_run_name
from runtime.search import evaluate, filter as search_filter, paging
from runtime.store import meta_yaml
from runtime.store.base import (
    DEFAULT_EXPERIMENT_ID,
    DEFAULT_EXPERIMENT_NAME,
    EXPERIMENTS_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_THRESHOLD,
    TrackingStore,
)
from runtime.store.logged_models_file import LoggedModelsFileMixin
from runtime.store.traces_file import TraceFileStoreMixin
from runtime.tracking_uri import local_path_from_uri, path_to_file_uri

# Modules only this module's writes need (tempfile, shutil, uuid, hashlib, random,
# urllib) are imported where they are used, to keep reads cheap to start.

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
SOURCE_TYPE_LOCAL = 4  # MLflow's SourceType.LOCAL, recorded in every run's meta.yaml
# Temp files and folders carry '~', which no valid key or id contains, so a
# reader can never mistake one for a tag, param or run.
_TEMP_PREFIX = ".mlf~"
_EXPERIMENT_ID_DIGITS = 18  # MLflow's fixed width for generated experiment ids
_META_CACHE_LIMIT = 200_000


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
_FILE_MODE = 0o666 & ~_UMASK
_DIR_MODE = 0o777 & ~_UMASK
# Ids name folders; the same rule as runtime.validation applies to them.
_FOLDER_ID = re.compile(r"^[A-Za-z0-9_\-]{1,256}$")


def _now_ms():
    return int(time.time() * 1000)


class _Missing(Exception):
    """A folder that should hold a meta.yaml holds none."""


class MalformedRecord(MlfError):
    """A run's or experiment's meta.yaml cannot be read; the record is unusable."""

    error_code = "INVALID_STATE"


class _RunRecord:
    """A run's meta.yaml, read: its RunInfo plus what only the file store keeps."""

    __slots__ = ("info", "deleted_time", "path", "experiment_path", "meta")

    def __init__(self, info, deleted_time, path, experiment_path, meta):
        self.info = info
        self.deleted_time = deleted_time
        self.path = path
        self.experiment_path = experiment_path
        self.meta = meta


# ---------------------------------------------------------------- URIs
def _resolve_uri_if_local(uri):
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


def _append_to_uri_path(uri, *parts):
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
def _pairs(tags, what):
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


def _md5_hex(*parts):
    import hashlib

    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def _optional_int(value, what):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{what} is {value!r}, not an integer") from None
    return value


def _value_rank(value):
    """Order metric values with NaN above everything (it sorts deterministically)."""
    return (1, 0.0) if value != value else (0, value)


def _metric_order(metric):
    return (metric.step, metric.timestamp, _value_rank(metric.value))


def _parse_metric_line(line):
    """'timestamp value [step [dataset_name dataset_digest]]' -> tuple, or None when malformed."""
    parts = line.split()
    count = len(parts)
    if count not in (2, 3, 5):
        return None
    try:
        timestamp = int(parts[0])
        value = float(parts[1])
        step = int(parts[2]) if count >= 3 else 0
    except ValueError:
        return None
    if count == 5:
        return timestamp, value, step, parts[3], parts[4]
    return timestamp, value, step, None, None


def _parse_query(max_results, default, filter_string, order_by, page_token, parse_filter, parse_order):
    """Check a search's arguments up front, so bad input fails even when nothing would match."""
    max_results = validation.validate_max_results(default if max_results is None else max_results,
                                                  SEARCH_MAX_RESULTS_THRESHOLD)
    comparisons = parse_filter(filter_string)
    order_keys = parse_order(order_by or [])
    paging.decode_token(page_token)
    return max_results, comparisons, order_keys


def _dataset_id_for(name, digest):
    return _md5_hex(name, digest)


class FileStore(LoggedModelsFileMixin, TraceFileStoreMixin, TrackingStore):
    """TrackingStore on a local folder in MLflow's file-store layout.

    Logged models (<experiment>/models/) and traces (<experiment>/traces/) come
    from their mixins, which need only root_directory, get_experiment and get_run.
    """

    def __init__(self, root_directory, artifact_root_uri=None):
        root = local_path_from_uri(str(root_directory)) if root_directory else "mlruns"
        self.root_directory = os.path.abspath(root)
        self.trash_folder = os.path.join(self.root_directory, TRASH)
        if artifact_root_uri:
            self.artifact_root_uri = _resolve_uri_if_local(str(artifact_root_uri))
        else:
            self.artifact_root_uri = path_to_file_uri(self.root_directory)
        # path -> ((inode, mtime, size), parsed meta.yaml)
        self._meta_cache = {}
        # metric file path -> (inode, size read so far, (timestamp, value, step, name, digest) of the latest)
        self._latest_cache = {}
        if os.path.lexists(self.root_directory) and not os.path.isdir(self.root_directory):
            raise MlfError(f"Tracking root {self.root_directory!r} exists and is not a directory")
        os.makedirs(self.root_directory, exist_ok=True)
        self._real_root = os.path.realpath(self.root_directory)
        if os.path.islink(self.trash_folder) and not self._inside_root(self.trash_folder):
            raise MlfError(f"{self.trash_folder} is a symlink leading out of the tracking root; refusing to use it")
        if not any(True for _ in self._experiment_dirs(ViewType.ALL)):
            try:
                self._create_experiment_folder(
                    DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, _append_to_uri_path(self.artifact_root_uri, "0"), []
                )
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise  # otherwise another process created it at the same moment
        os.makedirs(self.trash_folder, exist_ok=True)

    def close(self):
        self._meta_cache.clear()
        self._latest_cache.clear()

    # ================================================================ paths and safety
    def _inside_root(self, path):
        real = os.path.realpath(path)
        return real == self._real_root or real.startswith(self._real_root + os.sep)

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
        atomic_write(path, text, mode=_FILE_MODE, prefix=_TEMP_PREFIX)

    def _write_meta(self, folder, data):
        path = os.path.join(folder, META)
        self._write_atomic(path, meta_yaml.dumps(data))
        self._meta_cache.pop(path, None)

    def _load_meta(self, folder):
        """The parsed meta.yaml of a folder (cached while the file is unchanged).

        Raises _Missing when there is none and MalformedRecord when it cannot be used.
        """
        path = os.path.join(folder, META)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            raise _Missing(path) from None
        except NotADirectoryError:
            raise _Missing(path) from None
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
        if len(self._meta_cache) >= _META_CACHE_LIMIT:
            self._meta_cache.clear()
        self._meta_cache[path] = (signature, parsed)
        return parsed

    # ================================================================ experiments: reading
    def _experiment_dirs(self, view_type):
        """(experiment_id, folder, in_trash) for every experiment folder the view covers."""
        parents = []
        if view_type in (ViewType.ACTIVE_ONLY, ViewType.ALL):
            parents.append((self.root_directory, False))
        if view_type in (ViewType.DELETED_ONLY, ViewType.ALL):
            parents.append((self.trash_folder, True))
        for parent, in_trash in parents:
            try:
                entries = list(os.scandir(parent))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                name = entry.name
                if name.startswith(".") or (not in_trash and name == REGISTRY_FOLDER):
                    continue
                if not _FOLDER_ID.match(name) or not self._entry_is_dir(entry):
                    continue
                yield name, entry.path, in_trash

    def _locate_experiment(self, experiment_id):
        """(folder, in_trash) of an experiment, or None; active folders win over the trash."""
        experiment_id = validation.validate_experiment_id(experiment_id)
        candidates = [(self.trash_folder, True)]
        if experiment_id != REGISTRY_FOLDER:
            candidates.insert(0, (self.root_directory, False))
        for parent, in_trash in candidates:
            path = os.path.join(parent, experiment_id)
            if self._is_folder_inside(path):
                return path, in_trash
        return None

    def _require_experiment(self, experiment_id):
        location = self._locate_experiment(experiment_id)
        if location is None:
            raise NotFound(f"Could not find experiment with ID {experiment_id}")
        return location

    def _read_experiment(self, experiment_id, folder, with_tags=True):
        try:
            meta = self._load_meta(folder)
        except _Missing:
            raise MalformedRecord(f"Experiment {experiment_id} is malformed: {folder} has no {META}") from None
        except MalformedRecord as exc:
            raise MalformedRecord(f"Experiment {experiment_id} is malformed: {exc.message}") from None
        try:
            recorded = meta.get("experiment_id")
            if str(recorded) != experiment_id:
                raise ValueError(f"it records experiment id {recorded!r}")
            name = meta.get("name")
            if not isinstance(name, str) or not name:
                raise ValueError(f"its name is {name!r}")
            stage = meta.get("lifecycle_stage") or LifecycleStage.ACTIVE
            if stage not in (LifecycleStage.ACTIVE, LifecycleStage.DELETED):
                raise ValueError(f"its lifecycle_stage is {stage!r}")
            location = meta.get("artifact_location")
            experiment = Experiment(
                experiment_id=experiment_id,
                name=name,
                artifact_location="" if location is None else str(location),
                lifecycle_stage=stage,
                creation_time=_optional_int(meta.get("creation_time"), "creation_time"),
                last_update_time=_optional_int(meta.get("last_update_time"), "last_update_time"),
            )
        except ValueError as exc:
            raise MalformedRecord(f"Experiment {experiment_id} is malformed: {folder}/{META}: {exc}") from None
        if with_tags:
            experiment.tags = self._read_key_files(os.path.join(folder, TAGS))
        return experiment

    def _experiments(self, view_type, with_tags):
        """(Experiment, folder) for every readable experiment in the view; bad ones are logged."""
        found = []
        for experiment_id, folder, _ in self._experiment_dirs(view_type):
            try:
                found.append((self._read_experiment(experiment_id, folder, with_tags), folder))
            except MalformedRecord as exc:
                _logger.warning("Skipping experiment: %s", exc.message)
        return found

    def get_experiment(self, experiment_id):
        folder, _ = self._require_experiment(experiment_id)
        return self._read_experiment(str(experiment_id), folder)

    def _find_by_name(self, name):
        for experiment, folder in self._experiments(ViewType.ALL, with_tags=False):
            if experiment.name == name:
                return experiment, folder
        return None

    def get_experiment_by_name(self, name):
        found = self._find_by_name(name)
        if found is None:
            return None
        experiment, folder = found
        experiment.tags = self._read_key_files(os.path.join(folder, TAGS))
        return experiment

    def search_experiments(
        self,
        view_type=ViewType.ACTIVE_ONLY,
        max_results=EXPERIMENTS_MAX_RESULTS_DEFAULT,
        filter_string=None,
        order_by=None,
        page_token=None,
    ):
        max_results, comparisons, order_keys = _parse_query(
            max_results, EXPERIMENTS_MAX_RESULTS_DEFAULT, filter_string, order_by, page_token,
            search_filter.parse_experiment_filter, search_filter.parse_experiment_order_by,
        )
        needs_tags = any(c.entity == search_filter.TAG for c in comparisons)
        candidates = self._experiments(view_type, with_tags=needs_tags)
        folders = {id(experiment): folder for experiment, folder in candidates}
        matching = [e for e, _ in candidates if evaluate.experiment_matches(e, comparisons)]
        page = paging.paginate(evaluate.sort_experiments(matching, order_keys), max_results, page_token)
        if not needs_tags:
            for experiment in page:
                experiment.tags = self._read_key_files(os.path.join(folders[id(experiment)], TAGS))
        return page

    # ================================================================ experiments: writing
    def _new_experiment_id(self):
        import secrets

        while True:
            low = 10 ** (_EXPERIMENT_ID_DIGITS - 1)
            candidate = str(low + secrets.randbelow(9 * low))
            if self._locate_experiment(candidate) is None:
                return candidate

    def _experiment_meta(self, experiment_id, name, location, created):
        return {
            "artifact_location": location,
            "creation_time": created,
            "effective_trace_archival_retention": None,
            "experiment_id": experiment_id,
            "last_update_time": created,
            "lifecycle_stage": LifecycleStage.ACTIVE,
            "name": name,
            "trace_location": None,
            "workspace": "default",
        }

    def _create_experiment_folder(self, experiment_id, name, location, tag_pairs):
        """Build the experiment in a hidden folder, then rename it into place in one step."""
        import shutil
        import tempfile

        staging = tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=self.root_directory)
        try:
            self._write_meta(staging, self._experiment_meta(experiment_id, name, location, _now_ms()))
            for key, value in tag_pairs:
                self._write_atomic(os.path.join(staging, TAGS, *key.split("/")), value)
            os.chmod(staging, _DIR_MODE)  # mkdtemp makes it private
            os.rename(staging, os.path.join(self.root_directory, experiment_id))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def create_experiment(self, name, artifact_location=None, tags=None):
        validation.validate_experiment_name(name)
        tag_pairs = [
            (key, validation.validate_tag(key, value, validation.MAX_EXPERIMENT_TAG_VALUE_LENGTH))
            for key, value in _pairs(tags, "experiment tag")
        ]
        if artifact_location is not None and not isinstance(artifact_location, str):
            raise InvalidParameter(f"Invalid artifact location {artifact_location!r}: must be a string")
        existing = self._find_by_name(name)
        if existing is not None:
            if existing[0].lifecycle_stage == LifecycleStage.DELETED:
                raise AlreadyExists(
                    f"Experiment {name!r} already exists in deleted state. You can restore the experiment, "
                    "or permanently delete it from the .trash folder (or with `mlf gc`) to use this name again."
                )
            raise AlreadyExists(f"Experiment '{name}' already exists.")
        for _ in range(5):
            experiment_id = self._new_experiment_id()
            location = (
                _resolve_uri_if_local(artifact_location)
                if artifact_location
                else _append_to_uri_path(self.artifact_root_uri, experiment_id)
            )
            try:
                self._create_experiment_folder(experiment_id, name, location, tag_pairs)
                return experiment_id
            except OSError as exc:
                # Another process took the same id between the check and the rename.
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
        raise MlfError("Could not allocate a new experiment id")

    def _rewrite_experiment_meta(self, folder, **changes):
        meta = dict(self._load_meta(folder))
        meta.update(changes)
        # MLflow keeps a copy of the tags in the meta.yaml it rewrites; the tags folder is authoritative.
        meta["tags"] = self._read_key_files(os.path.join(folder, TAGS))
        self._write_meta(folder, meta)

    def _active_experiment(self, experiment_id, action):
        folder, in_trash = self._require_experiment(experiment_id)
        experiment = self._read_experiment(str(experiment_id), folder, with_tags=False)
        if in_trash or experiment.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidState(
                f"Cannot {action} experiment {experiment_id}: it must be in the 'active' lifecycle stage. "
                f"Current stage is {LifecycleStage.DELETED}."
            )
        return experiment, folder

    def delete_experiment(self, experiment_id):
        experiment_id = validation.validate_experiment_id(experiment_id)
        if experiment_id == DEFAULT_EXPERIMENT_ID:
            raise InvalidState(
                f"Cannot delete the default experiment '{DEFAULT_EXPERIMENT_ID}'. It is reserved by the file store."
            )
        experiment, folder = self._active_experiment(experiment_id, "delete")
        target = os.path.join(self.trash_folder, experiment_id)
        if os.path.lexists(target):
            raise MlfError(f"Cannot delete experiment {experiment_id}: {target} already exists")
        deleted_time = _now_ms()
        for record in self._run_records(experiment_id, folder):
            if record.info.lifecycle_stage == LifecycleStage.ACTIVE:
                self._rewrite_run_meta(record, lifecycle_stage=LifecycleStage.DELETED, deleted_time=deleted_time)
        self._rewrite_experiment_meta(folder, lifecycle_stage=LifecycleStage.DELETED, last_update_time=deleted_time)
        os.makedirs(self.trash_folder, exist_ok=True)
        os.rename(folder, target)
        self._forget(folder)

    def restore_experiment(self, experiment_id):
        experiment_id = validation.validate_experiment_id(experiment_id)
        folder, in_trash = self._require_experiment(experiment_id)
        if not in_trash:
            raise InvalidState(f"Cannot restore experiment {experiment_id}: it is not deleted.")
        experiment = self._read_experiment(experiment_id, folder, with_tags=False)
        target = os.path.join(self.root_directory, experiment_id)
        if os.path.lexists(target):
            raise AlreadyExists(f"Cannot restore experiment {experiment_id}: an experiment with the same id exists.")
        os.rename(folder, target)
        self._forget(folder)
        deleted_time = experiment.last_update_time
        for record in self._run_records(experiment_id, target):
            # Only the runs deleted together with the experiment come back (legacy runs
            # without a deletion time are restored too, as MLflow restores them).
            if record.info.lifecycle_stage == LifecycleStage.DELETED and record.deleted_time in (None, deleted_time):
                self._rewrite_run_meta(record, lifecycle_stage=LifecycleStage.ACTIVE, deleted_time=None)
        self._rewrite_experiment_meta(target, lifecycle_stage=LifecycleStage.ACTIVE, last_update_time=_now_ms())

    def rename_experiment(self, experiment_id, new_name):
        validation.validate_experiment_name(new_name)
        experiment, folder = self._active_experiment(experiment_id, "rename")
        existing = self._find_by_name(new_name)
        if existing is not None and existing[0].experiment_id != experiment.experiment_id:
            raise AlreadyExists(f"Experiment '{new_name}' already exists.")
        self._rewrite_experiment_meta(folder, name=new_name, last_update_time=_now_ms())

    def set_experiment_tag(self, experiment_id, key, value):
        text = validation.validate_tag(key, value, validation.MAX_EXPERIMENT_TAG_VALUE_LENGTH)
        _, folder = self._active_experiment(experiment_id, "set tags on")
        self._write_atomic(self._checked(folder, f"{TAGS}/{key}"), text)

    def delete_experiment_tag(self, experiment_id, key):
        validation.validate_key(key, "tag name")
        _, folder = self._active_experiment(experiment_id, "delete tags of")
        path = self._checked(folder, f"{TAGS}/{key}")
        if not os.path.isfile(path):
            raise NotFound(f"No tag with name: {key} in experiment with id {experiment_id}")
        os.remove(path)

    # ================================================================ runs: reading
    def _run_dirs(self, experiment_folder):
        """(run_id, folder) of every run-shaped folder of an experiment."""
        try:
            entries = list(os.scandir(experiment_folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in RESERVED_EXPERIMENT_FOLDERS or not _FOLDER_ID.match(name):
                continue
            if self._entry_is_dir(entry):
                yield name, entry.path

    def _read_run_record(self, experiment_id, folder, run_id, experiment_folder):
        meta = self._load_meta(folder)
        try:
            recorded_id = meta.get("run_id") or meta.get("run_uuid")
            if recorded_id != run_id:
                raise ValueError(f"it records run id {recorded_id!r}")
            recorded_experiment = meta.get("experiment_id")
            if str(recorded_experiment) != experiment_id:
                raise ValueError(f"it records experiment id {recorded_experiment!r}, but lives in experiment {experiment_id}")
            status = meta.get("status", 1)
            try:
                status_name = RunStatus.from_int(status) if not isinstance(status, str) else RunStatus.validate(status)
            except (KeyError, ValueError, TypeError, InvalidParameter):
                raise ValueError(f"its status is {status!r}") from None
            stage = meta.get("lifecycle_stage") or LifecycleStage.ACTIVE
            if stage not in (LifecycleStage.ACTIVE, LifecycleStage.DELETED):
                raise ValueError(f"its lifecycle_stage is {stage!r}")
            run_name = meta.get("run_name")
            user_id = meta.get("user_id")
            artifact_uri = meta.get("artifact_uri")
            info = RunInfo(
                run_id=run_id,
                experiment_id=experiment_id,
                run_name="" if run_name is None else str(run_name),
                user_id="" if user_id is None else str(user_id),
                status=status_name,
                start_time=_optional_int(meta.get("start_time"), "start_time"),
                end_time=_optional_int(meta.get("end_time"), "end_time"),
                artifact_uri="" if artifact_uri is None else str(artifact_uri),
                lifecycle_stage=stage,
            )
            deleted_time = _optional_int(meta.get("deleted_time"), "deleted_time")
        except ValueError as exc:
            raise MalformedRecord(f"{folder}/{META}: {exc}") from None
        if not info.run_name:
            # Runs written before run_name existed keep it only in the tag.
            info.run_name = self._read_key_files(os.path.join(folder, TAGS), [RUN_NAME_TAG]).get(RUN_NAME_TAG, "")
        return _RunRecord(info, deleted_time, folder, experiment_folder, meta)

    def _run_records(self, experiment_id, experiment_folder, stages=None):
        """Readable runs of one experiment; malformed ones are logged and skipped."""
        records = []
        for run_id, folder in self._run_dirs(experiment_folder):
            try:
                record = self._read_run_record(experiment_id, folder, run_id, experiment_folder)
            except _Missing:
                # Not a run (an artifact store sharing the folder, or a run being created).
                _logger.debug("Skipping %s: no %s", folder, META)
                continue
            except MalformedRecord as exc:
                _logger.warning("Skipping malformed run %s: %s", run_id, exc.message)
                continue
            if stages is None or record.info.lifecycle_stage in stages:
                records.append(record)
        return records

    def _find_run(self, run_id):
        """The run's record; NotFound when no experiment holds it, MalformedRecord when unreadable."""
        run_id = validation.validate_run_id(run_id)
        if run_id not in RESERVED_EXPERIMENT_FOLDERS:
            for experiment_id, experiment_folder, _ in self._experiment_dirs(ViewType.ALL):
                folder = os.path.join(experiment_folder, run_id)
                if not self._is_folder_inside(folder):
                    continue
                try:
                    return self._read_run_record(experiment_id, folder, run_id, experiment_folder)
                except _Missing:
                    raise MalformedRecord(f"Run '{run_id}' is malformed: {folder} has no {META}") from None
                except MalformedRecord as exc:
                    raise MalformedRecord(f"Run '{run_id}' is malformed: {exc.message}") from None
        raise NotFound(f"Run '{run_id}' not found")

    def _active_run(self, run_id):
        record = self._find_run(run_id)
        if record.info.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidState(
                f"The run {record.info.run_id} must be in the 'active' state. "
                f"Current state is {record.info.lifecycle_stage}."
            )
        return record

    def _walk_key_files(self, folder, prefix=""):
        """(key, path) for every file below folder; keys use '/' for nesting."""
        if not prefix and not self._safe_folder(folder):
            return
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            name = entry.name
            if name.startswith(_TEMP_PREFIX):
                continue
            key = prefix + name
            try:
                if entry.is_symlink() and not self._inside_root(entry.path):
                    _logger.warning("Ignoring %s: it is a symlink leading out of %s", entry.path, self.root_directory)
                    continue
                if entry.is_dir():
                    yield from self._walk_key_files(entry.path, key + "/")
                elif entry.is_file():
                    yield key, entry.path
            except OSError:
                continue

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

    def _latest_metric(self, path, key, run_id):
        """The latest value in a metric file, reading only what was appended since last time."""
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        cached = self._latest_cache.get(path)
        start, best = 0, None
        if cached is not None and cached[0] == info.st_ino and cached[1] <= info.st_size:
            start, best = cached[1], cached[2]
            if start == info.st_size:
                return self._metric_from(key, best, run_id) if best else None
        data = self._read_bytes(path, start)
        # The cache remembers complete lines only; a last line without its newline (an
        # append in progress, or a hand-written file) still counts for this answer.
        complete = data.rfind(b"\n") + 1
        best = self._latest_line(data[:complete], best, path)
        if len(self._latest_cache) >= _META_CACHE_LIMIT:
            self._latest_cache.clear()
        self._latest_cache[path] = (info.st_ino, start + complete, best)
        if complete < len(data):
            best = self._latest_line(data[complete:], best, path)
        return self._metric_from(key, best, run_id) if best else None

    @staticmethod
    def _latest_line(data, best, path):
        """The latest of ``best`` and the metric lines in ``data`` (max by step, timestamp, value)."""
        best_order = None if best is None else (best[2], best[0], _value_rank(best[1]))
        for line in data.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            parsed = _parse_metric_line(line)
            if parsed is None:
                _logger.warning("Ignoring malformed line %r in metric file %s", line[:80], path)
                continue
            order = (parsed[2], parsed[0], _value_rank(parsed[1]))
            if best_order is None or order >= best_order:
                best, best_order = parsed, order
        return best

    @staticmethod
    def _metric_from(key, parsed, run_id):
        timestamp, value, step, dataset_name, dataset_digest = parsed
        return Metric(key, value, timestamp, step, run_id, dataset_name, dataset_digest)

    def _read_metrics(self, run_folder, run_id, keys=None):
        folder = os.path.join(run_folder, METRICS)
        found = {}
        if keys is None:
            items = self._walk_key_files(folder)
        else:
            items = ((key, self._key_path(folder, key)) for key in keys)
        for key, path in items:
            if path is None:
                continue
            try:
                metric = self._latest_metric(path, key, run_id)
            except (IsADirectoryError, InvalidParameter):
                continue
            except OSError as exc:
                _logger.warning("Cannot read metric file %s: %s", path, exc)
                continue
            if metric is not None:
                found[key] = metric
        return found

    def _read_dataset(self, experiment_folder, dataset_id, cache):
        key = (experiment_folder, dataset_id)
        if key not in cache:
            cache[key] = None
            try:
                meta = self._load_meta(self._checked(experiment_folder, f"{DATASETS}/{dataset_id}"))
                cache[key] = Dataset(
                    name=str(meta["name"]),
                    digest=str(meta["digest"]),
                    source_type=str(meta.get("source_type") or ""),
                    source=str(meta.get("source") or ""),
                    schema=meta.get("schema"),
                    profile=meta.get("profile"),
                )
            except (_Missing, MalformedRecord, KeyError, InvalidParameter) as exc:
                _logger.warning("Cannot read dataset %s of %s: %s", dataset_id, experiment_folder, exc)
        return cache[key]

    def _link_metas(self, record, kind):
        """The meta.yaml of every record in a run's inputs/ or outputs/ folder."""
        folder = os.path.join(record.path, kind)
        if not self._safe_folder(folder):
            return
        try:
            names = sorted(os.listdir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for name in names:
            if name.startswith("."):
                continue
            try:
                yield self._load_meta(self._checked(folder, name))
            except (_Missing, MalformedRecord, InvalidParameter) as exc:
                _logger.warning("Skipping %s/%s of run %s: %s", kind, name, record.info.run_id, exc)

    def _read_inputs(self, record, dataset_cache):
        """(dataset inputs, model inputs) of a run."""
        datasets, models = [], []
        for meta in self._link_metas(record, INPUTS):
            source_type, source_id = meta.get("source_type"), str(meta.get("source_id"))
            if source_type == "DATASET":
                if not _FOLDER_ID.match(source_id):
                    continue
                dataset = self._read_dataset(record.experiment_path, source_id, dataset_cache)
                if dataset is not None:
                    tags = meta.get("tags") if isinstance(meta.get("tags"), dict) else {}
                    datasets.append(DatasetInput(dataset, {str(k): str(v) for k, v in tags.items()}))
            elif source_type == "MODEL":
                models.append({"model_id": source_id})
        return datasets, models

    def _read_outputs(self, record):
        return [
            {"model_id": str(meta.get("destination_id")), "step": int(meta.get("step") or 0)}
            for meta in self._link_metas(record, OUTPUTS)
            if meta.get("destination_type") == "MODEL_OUTPUT"
        ]

    def _hydrate(self, record, dataset_cache=None):
        """The full Run for a record: metrics, params, tags, inputs and outputs."""
        folder, run_id = record.path, record.info.run_id
        dataset_inputs, model_inputs = self._read_inputs(record, {} if dataset_cache is None else dataset_cache)
        return Run(
            info=record.info,
            metrics=self._read_metrics(folder, run_id),
            params=self._read_key_files(os.path.join(folder, PARAMS)),
            tags=self._read_key_files(os.path.join(folder, TAGS)),
            dataset_inputs=dataset_inputs,
            model_inputs=model_inputs,
            model_outputs=self._read_outputs(record),
        )

    def get_run(self, run_id):
        return self._hydrate(self._find_run(run_id))

    # ================================================================ search
    def search_runs(
        self,
        experiment_ids,
        filter_string=None,
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=SEARCH_MAX_RESULTS_DEFAULT,
        order_by=None,
        page_token=None,
    ):
        max_results, comparisons, order_keys = _parse_query(
            max_results, SEARCH_MAX_RESULTS_DEFAULT, filter_string, order_by, page_token,
            search_filter.parse_run_filter, search_filter.parse_run_order_by,
        )
        if isinstance(experiment_ids, (str, int)):
            experiment_ids = [experiment_ids]
        stages = ViewType.stages(run_view_type or ViewType.ACTIVE_ONLY)
        needs = _QueryNeeds(comparisons, order_keys)
        dataset_cache = {}
        candidates = []
        for experiment_id in dict.fromkeys(str(e) for e in experiment_ids or ()):
            location = self._locate_experiment(experiment_id)
            if location is None:
                continue
            for record in self._run_records(experiment_id, location[0], stages):
                # Read only what the filter and the ordering look at; the page is completed below.
                run = Run(
                    info=record.info,
                    metrics=self._read_metrics(record.path, record.info.run_id, needs.metrics) if needs.metrics else {},
                    params=self._read_key_files(os.path.join(record.path, PARAMS), needs.params) if needs.params else {},
                    tags=self._read_key_files(os.path.join(record.path, TAGS), needs.tags) if needs.tags else {},
                )
                if needs.datasets:
                    run.dataset_inputs = self._read_inputs(record, dataset_cache)[0]
                if evaluate.run_matches(run, comparisons):
                    candidates.append((run, record))
        records = {id(run): record for run, record in candidates}
        ordered = evaluate.sort_runs([run for run, _ in candidates], order_keys)
        page = paging.paginate(ordered, max_results, page_token)
        return PagedList([self._hydrate(records[id(run)], dataset_cache) for run in page], page.token)

    def list_run_infos(self, experiment_id, run_view_type=ViewType.ACTIVE_ONLY):
        experiment_id = str(experiment_id)
        location = self._locate_experiment(experiment_id)
        if location is None:
            return []
        stages = ViewType.stages(run_view_type or ViewType.ACTIVE_ONLY)
        runs = [Run(info=record.info) for record in self._run_records(experiment_id, location[0], stages)]
        return [run.info for run in evaluate.sort_runs(runs, [])]

    # ================================================================ runs: writing
    def _run_meta(self, info, deleted_time=None, base=None):
        meta = dict(base or {})
        meta.update(
            {
                "artifact_uri": info.artifact_uri,
                "end_time": info.end_time,
                "entry_point_name": "",
                "experiment_id": info.experiment_id,
                "lifecycle_stage": info.lifecycle_stage,
                "run_id": info.run_id,
                "run_name": info.run_name,
                "source_name": "",
                "source_type": SOURCE_TYPE_LOCAL,
                "source_version": "",
                "start_time": info.start_time,
                "status": RunStatus.to_int(info.status),
                "tags": [],
                "user_id": info.user_id,
            }
        )
        meta.pop("deleted_time", None)
        if deleted_time is not None:
            meta["deleted_time"] = deleted_time
        return meta

    def _rewrite_run_meta(self, record, deleted_time=..., **changes):
        info = RunInfo(**{**record.info.__dict__, **changes})
        if deleted_time is ...:
            deleted_time = record.deleted_time
        self._write_meta(record.path, self._run_meta(info, deleted_time, record.meta))
        return info

    def create_run(self, experiment_id, user_id=None, start_time=None, tags=None, run_name=None):
        experiment_id = DEFAULT_EXPERIMENT_ID if experiment_id is None else str(experiment_id)
        validation.validate_run_name(run_name)
        tag_values = {}
        for key, value in _pairs(tags, "tag"):
            tag_values[key] = validation.validate_tag(key, value)
        folder, in_trash = self._require_experiment(experiment_id)
        experiment = self._read_experiment(experiment_id, folder, with_tags=False)
        if in_trash or experiment.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidState(f"Could not create run under non-active experiment with ID {experiment_id}.")
        name_tag = tag_values.get(RUN_NAME_TAG)
        if run_name and name_tag and run_name != name_tag:
            raise InvalidParameter(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values "
                f"(run_name='{run_name}', mlflow.runName='{name_tag}')."
            )
        run_name = run_name or name_tag or generate_run_name()
        tag_values[RUN_NAME_TAG] = run_name
        import shutil
        import tempfile
        import uuid

        run_id = uuid.uuid4().hex
        info = RunInfo(
            run_id=run_id,
            experiment_id=experiment_id,
            run_name=run_name,
            user_id="" if user_id is None else str(user_id),
            status=RunStatus.RUNNING,
            start_time=_now_ms() if start_time is None else int(start_time),
            end_time=None,
            artifact_uri=_append_to_uri_path(experiment.artifact_location, run_id, ARTIFACTS),
            lifecycle_stage=LifecycleStage.ACTIVE,
        )
        # Build the run in a hidden folder and rename it into place: readers see all of it or nothing.
        staging = tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=folder)
        try:
            self._write_meta(staging, self._run_meta(info))
            for sub in (METRICS, PARAMS, ARTIFACTS):
                os.mkdir(os.path.join(staging, sub))
            for key, value in tag_values.items():
                self._write_atomic(os.path.join(staging, TAGS, *key.split("/")), value)
            os.chmod(staging, _DIR_MODE)  # mkdtemp makes it private
            os.rename(staging, os.path.join(folder, run_id))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self.get_run(run_id)

    def update_run_info(self, run_id, status=None, end_time=None, run_name=None):
        record = self._active_run(run_id)
        changes = {}
        if status is not None:
            changes["status"] = RunStatus.from_int(status) if isinstance(status, int) else RunStatus.validate(status)
        if end_time is not None:
            changes["end_time"] = int(end_time)
        if run_name:
            changes["run_name"] = validation.validate_run_name(run_name)
            self._write_atomic(self._checked(record.path, f"{TAGS}/{RUN_NAME_TAG}"), run_name)
        return self._rewrite_run_meta(record, **changes)

    def delete_run(self, run_id):
        record = self._find_run(run_id)
        self._rewrite_run_meta(record, lifecycle_stage=LifecycleStage.DELETED, deleted_time=_now_ms())

    def restore_run(self, run_id):
        record = self._find_run(run_id)
        self._rewrite_run_meta(record, lifecycle_stage=LifecycleStage.ACTIVE, deleted_time=None)

    def log_batch(self, run_id, metrics=(), params=(), tags=()):
        validation.validate_run_id(run_id)
        metrics, params, tags = list(metrics or ()), list(params or ()), list(tags or ())
        validation.validate_batch_size(metrics, params, tags)
        metric_rows = []
        for metric in metrics:
            value, timestamp, step = validation.validate_metric(metric.key, metric.value, metric.timestamp, metric.step)
            metric_rows.append((metric, value, timestamp, step))
        param_values = {}
        for param in params:
            text = validation.validate_param(param.key, param.value)
            if param.key in param_values:
                raise InvalidParameter(
                    f"Duplicate parameter keys have been submitted: ['{param.key}']. "
                    "Please ensure the request contains only one param value per param key."
                )
            param_values[param.key] = text
        tag_values = [(tag.key, validation.validate_tag(tag.key, tag.value)) for tag in tags]
        record = self._active_run(run_id)
        # Check every param before writing anything, so a conflict leaves the run untouched.
        params_folder = os.path.join(record.path, PARAMS)
        existing = self._read_key_files(params_folder, list(param_values))
        for key, text in param_values.items():
            if key in existing and existing[key] != text:
                raise InvalidParameter(
                    f"Changing param values is not allowed. Param with key='{key}' was already logged with "
                    f"value='{existing[key]}' for run ID='{record.info.run_id}'. Attempted logging new value '{text}'."
                )
        for key, text in param_values.items():
            if key not in existing:
                self._write_atomic(self._checked(record.path, f"{PARAMS}/{key}"), text)
        self._append_metrics(record, metric_rows)
        new_name = None
        for key, text in tag_values:
            self._write_atomic(self._checked(record.path, f"{TAGS}/{key}"), text)
            if key == RUN_NAME_TAG:
                new_name = text
        if new_name is not None and new_name != record.info.run_name:
            self._rewrite_run_meta(record, run_name=new_name)

    def _append_metrics(self, record, rows):
        lines_by_key = {}
        model_lines = {}
        for metric, value, timestamp, step in rows:
            suffix = ""
            name, digest = getattr(metric, "dataset_name", None), getattr(metric, "dataset_digest", None)
            if name is not None and digest is not None:
                if any(ch.isspace() for ch in f"{name}{digest}") or not name or not digest:
                    _logger.warning(
                        "Metric %r: dataset name/digest with spaces cannot be recorded in the file store; "
                        "the value is logged without them", metric.key
                    )
                else:
                    suffix = f" {name} {digest}"
            lines_by_key.setdefault(metric.key, []).append(f"{timestamp} {value!r} {step}{suffix}\n")
            model_id = getattr(metric, "model_id", None)
            if model_id:
                line = f"{timestamp} {value!r} {step} {record.info.run_id}{suffix}\n"
                model_lines.setdefault((str(model_id), metric.key), []).append(line)
        for key, lines in lines_by_key.items():
            self._append_lines(self._checked(record.path, f"{METRICS}/{key}"), lines)
        for (model_id, key), lines in model_lines.items():
            # A logged model kept in this experiment records the metrics logged against it too.
            if not _FOLDER_ID.match(model_id):
                continue
            model_folder = os.path.join(record.experiment_path, REGISTRY_FOLDER, model_id)
            if os.path.isdir(model_folder) and self._inside_root(model_folder):
                self._append_lines(self._checked(model_folder, f"{METRICS}/{key}"), lines)

    @staticmethod
    def _append_lines(path, lines):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = "".join(lines).encode("utf-8")
        # Unbuffered O_APPEND writes of whole lines: concurrent appenders never interleave inside a line.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), _FILE_MODE)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def delete_tag(self, run_id, key):
        validation.validate_key(key, "tag name")
        record = self._active_run(run_id)
        path = self._checked(record.path, f"{TAGS}/{key}")
        if not os.path.isfile(path):
            raise NotFound(f"No tag with name: {key} in run with id {record.info.run_id}")
        os.remove(path)

    def get_metric_history(self, run_id, metric_key, max_results=None, page_token=None):
        validation.validate_key(metric_key, "metric name")
        record = self._find_run(run_id)
        offset = paging.decode_token(page_token)
        path = self._checked(record.path, f"{METRICS}/{metric_key}")
        try:
            data = self._read_bytes(path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return PagedList([], None)
        history = []
        for line in data.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            parsed = _parse_metric_line(line)
            if parsed is None:
                _logger.warning("Ignoring malformed line %r in metric file %s", line[:80], path)
                continue
            history.append(self._metric_from(metric_key, parsed, record.info.run_id))
        history.sort(key=_metric_order)
        if max_results is None:
            return PagedList(history[offset:], None)
        return paging.paginate(history, max_results, page_token)

    def log_inputs(self, run_id, datasets=None, models=None):
        record = self._active_run(run_id)
        prepared = []
        for dataset_input in datasets or ():
            dataset = dataset_input.dataset
            for field_name in ("name", "digest"):
                value = getattr(dataset, field_name)
                if not isinstance(value, str) or not value:
                    raise InvalidParameter(f"Dataset {field_name} must be a non-empty string, got {value!r}")
            tags = {}
            for key, value in _pairs(dataset_input.tags, "input tag"):
                tags[validation.validate_key(key, "input tag name")] = "" if value is None else str(value)
            prepared.append((dataset, tags))
        model_ids = [
            validation.validate_generic_id(m.get("model_id") if isinstance(m, dict) else m.model_id, "model id")
            for m in models or ()
        ]
        for dataset, tags in prepared:
            dataset_id = _dataset_id_for(dataset.name, dataset.digest)
            dataset_folder = self._checked(record.experiment_path, f"{DATASETS}/{dataset_id}")
            if not os.path.exists(os.path.join(dataset_folder, META)):
                self._write_meta(
                    dataset_folder,
                    {
                        "digest": dataset.digest,
                        "name": dataset.name,
                        "profile": dataset.profile,
                        "schema": dataset.schema,
                        "source": dataset.source,
                        "source_type": dataset.source_type,
                    },
                )
            # MLflow records the dataset id as destination_id too; we write what it writes.
            self._write_input(record, _md5_hex(dataset_id, record.info.run_id), dataset_id, "DATASET", tags)
        for model_id in model_ids:
            self._write_input(record, _md5_hex(model_id, record.info.run_id), model_id, "MODEL", {})

    def _write_input(self, record, input_id, source_id, source_type, tags):
        folder = self._checked(record.path, f"{INPUTS}/{input_id}")
        if os.path.exists(os.path.join(folder, META)):
            return  # logged before: MLflow keeps the first record
        meta = {
            "destination_id": source_id,
            "destination_type": "RUN",
            "source_id": source_id,
            "source_type": source_type,
            "tags": tags,
        }
        self._write_meta(folder, meta)

    def log_outputs(self, run_id, models):
        record = self._active_run(run_id)
        outputs = []
        for model in models or ():
            model_id = model.get("model_id") if isinstance(model, dict) else model.model_id
            step = model.get("step") if isinstance(model, dict) else getattr(model, "step", 0)
            try:
                step = int(step or 0)
            except (TypeError, ValueError):
                raise InvalidParameter(f"Invalid step {step!r} for model output: expected an integer") from None
            outputs.append((validation.validate_generic_id(model_id, "model id"), step))
        for model_id, step in outputs:
            folder = self._checked(record.path, f"{OUTPUTS}/{model_id}")
            if os.path.exists(os.path.join(folder, META)):
                continue
            meta = {
                "destination_id": model_id,
                "destination_type": "MODEL_OUTPUT",
                "source_id": model_id,
                "source_type": "RUN_OUTPUT",
                "step": step,
                "tags": {},
            }
            self._write_meta(folder, meta)

    # ================================================================ garbage collection
    def get_deleted_runs(self, older_than_ms=None):
        now = _now_ms()
        deleted = []
        for experiment_id, folder, _ in self._experiment_dirs(ViewType.ALL):
            for record in self._run_records(experiment_id, folder, (LifecycleStage.DELETED,)):
                if older_than_ms is None or record.deleted_time is None or now - record.deleted_time >= older_than_ms:
                    deleted.append(record.info.run_id)
        return deleted

    def get_deleted_experiments(self, older_than_ms=None):
        now = _now_ms()
        deleted = []
        for experiment, _ in self._experiments(ViewType.DELETED_ONLY, with_tags=False):
            changed = experiment.last_update_time
            if older_than_ms is None or changed is None or now - changed >= older_than_ms:
                deleted.append(experiment.experiment_id)
        return deleted

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

    def hard_delete_run(self, run_id):
        run_id = validation.validate_run_id(run_id)
        try:
            folder = self._find_run(run_id).path
        except MalformedRecord:
            # A damaged run can still be removed for good.
            folder = next(
                (os.path.join(f, run_id) for _, f, _ in self._experiment_dirs(ViewType.ALL)
                 if os.path.isdir(os.path.join(f, run_id))),
                None,
            )
            if folder is None:
                raise
        self._remove_tree(folder)

    def hard_delete_experiment(self, experiment_id):
        experiment_id = validation.validate_experiment_id(experiment_id)
        folder, in_trash = self._require_experiment(experiment_id)
        if not in_trash:
            raise InvalidState(f"Cannot permanently delete experiment {experiment_id}: delete it first.")
        self._remove_tree(folder)


class _QueryNeeds:
    """Which metrics, params, tags and datasets a filter and an ordering look at."""

    def __init__(self, comparisons, order_keys):
        self.metrics, self.params, self.tags, self.datasets = [], [], [], False
        by_entity = {search_filter.METRIC: self.metrics, search_filter.PARAM: self.params, search_filter.TAG: self.tags}
        for item in (*comparisons, *order_keys):
            if item.entity == search_filter.DATASET:
                self.datasets = True
            elif item.entity in by_entity and item.key not in by_entity[item.entity]:
                by_entity[item.entity].append(item.key)
