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
import os

from runtime.entities import ViewType
from runtime.errors import MlfError
from runtime.store.contract.tracking import DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, TrackingStore
from runtime.store.file.experiments import ExperimentFiles
from runtime.store.file.layout import TRASH, FolderLayout, MalformedRecord, append_to_uri_path, resolve_uri_if_local
from runtime.store.file.logged_models import LoggedModelsFileMixin
from runtime.store.file.run_data import RunDataFiles
from runtime.store.file.runs import RunFiles
from runtime.store.file.traces import TraceFileStoreMixin
from runtime.tracking_uri import local_path_from_uri, path_to_file_uri

__all__ = ["FileStore", "MalformedRecord"]


class FileStore(ExperimentFiles, RunFiles, RunDataFiles, LoggedModelsFileMixin, TraceFileStoreMixin, FolderLayout,
                TrackingStore):
    """TrackingStore on a local folder in MLflow's file-store layout.

    Each capability lives in its own mixin module (experiments, runs, run data,
    logged models, traces) over one plumbing layer (runtime.store.file.layout).
    """

    def __init__(self, root_directory, artifact_root_uri=None):
        root = local_path_from_uri(str(root_directory)) if root_directory else "mlruns"
        self.root_directory = os.path.abspath(root)
        self.trash_folder = os.path.join(self.root_directory, TRASH)
        if artifact_root_uri:
            self.artifact_root_uri = resolve_uri_if_local(str(artifact_root_uri))
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
                    DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, append_to_uri_path(self.artifact_root_uri, "0"), []
                )
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise  # otherwise another process created it at the same moment
        os.makedirs(self.trash_folder, exist_ok=True)

    def close(self):
        self._meta_cache.clear()
        self._latest_cache.clear()
