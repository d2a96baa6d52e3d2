"""Experiments in the file store: <root>/<experiment_id>/meta.yaml (tags/<key> beside it), .trash/."""

import errno
import logging
import os

from runtime import validation
from runtime.entities import (
    Experiment,
    LifecycleStage,
    ViewType,
)
from runtime.errors import AlreadyExists, InvalidState, MlfError, NotFound
from runtime.search import evaluate, filter as search_filter, paging
from runtime.store.contract.tracking import (
    DEFAULT_EXPERIMENT_ID,
    EXPERIMENTS_MAX_RESULTS_DEFAULT,
)
from runtime.store.file import layout  # layout.now_ms is the clock GC tests set
from runtime.store.file.layout import (
    DIR_MODE, FOLDER_ID, META, REGISTRY_FOLDER, TAGS, TEMP_PREFIX, MalformedRecord, MissingMeta, append_to_uri_path, key_value_pairs,
    optional_int, parse_search_args, resolve_uri_if_local,
)

_logger = logging.getLogger("mlf")
_EXPERIMENT_ID_DIGITS = 18  # MLflow's fixed width for generated experiment ids


class ExperimentFiles:
    """Experiment methods of the file store (reading, writing, garbage collection)."""

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
                if not FOLDER_ID.match(name) or not self._entry_is_dir(entry):
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
        except MissingMeta:
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
                creation_time=optional_int(meta.get("creation_time"), "creation_time"),
                last_update_time=optional_int(meta.get("last_update_time"), "last_update_time"),
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
        max_results, comparisons, order_keys = parse_search_args(
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

        staging = tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self.root_directory)
        try:
            self._write_meta(staging, self._experiment_meta(experiment_id, name, location, layout.now_ms()))
            for key, value in tag_pairs:
                self._write_atomic(os.path.join(staging, TAGS, *key.split("/")), value)
            os.chmod(staging, DIR_MODE)  # mkdtemp makes it private
            os.rename(staging, os.path.join(self.root_directory, experiment_id))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def create_experiment(self, name, artifact_location=None, tags=None):
        validation.validate_experiment_name(name)
        tag_pairs = [
            (key, validation.validate_tag(key, value, validation.MAX_EXPERIMENT_TAG_VALUE_LENGTH))
            for key, value in key_value_pairs(tags, "experiment tag")
        ]
        validation.validate_artifact_location(artifact_location)
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
                resolve_uri_if_local(artifact_location)
                if artifact_location
                else append_to_uri_path(self.artifact_root_uri, experiment_id)
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
        deleted_time = layout.now_ms()
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
        self._rewrite_experiment_meta(target, lifecycle_stage=LifecycleStage.ACTIVE, last_update_time=layout.now_ms())

    def rename_experiment(self, experiment_id, new_name):
        validation.validate_experiment_name(new_name)
        experiment, folder = self._active_experiment(experiment_id, "rename")
        existing = self._find_by_name(new_name)
        if existing is not None and existing[0].experiment_id != experiment.experiment_id:
            raise AlreadyExists(f"Experiment '{new_name}' already exists.")
        self._rewrite_experiment_meta(folder, name=new_name, last_update_time=layout.now_ms())

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

    def get_deleted_experiments(self, older_than_ms=None):
        now = layout.now_ms()
        deleted = []
        for experiment, _ in self._experiments(ViewType.DELETED_ONLY, with_tags=False):
            changed = experiment.last_update_time
            if older_than_ms is None or changed is None or now - changed >= older_than_ms:
                deleted.append(experiment.experiment_id)
        return deleted

    def hard_delete_experiment(self, experiment_id):
        experiment_id = validation.validate_experiment_id(experiment_id)
        folder, in_trash = self._require_experiment(experiment_id)
        if not in_trash:
            raise InvalidState(f"Cannot permanently delete experiment {experiment_id}: delete it first.")
        self._remove_tree(folder)
