"""Logged models in the file store, laid out as MLflow 3's file store writes them.

    <root>/<experiment_id>/models/<model_id>/meta.yaml     (model_id, experiment_id, name,
                                                            artifact_location, creation_timestamp,
                                                            last_updated_timestamp, status (int),
                                                            status_message, model_type,
                                                            source_run_id, lifecycle_stage)
                                           /tags/<key>      value
                                           /params/<key>    value
                                           /metrics/<key>   "<timestamp> <value> <step> <run_id>
                                                             [<dataset_name> <dataset_digest>]" per line

Experiments deleted to <root>/.trash keep their models there. LoggedModelsFileMixin
adds the LoggedModelStore methods to the file tracking store; it needs the host
to have ``root_directory`` and ``get_experiment``. LoggedModelFiles reads and
writes one root and is used directly by the file model registry.
"""

import os
import shutil
import uuid

from runtime.entities import LifecycleStage, Metric
from runtime.errors import InvalidParameter, InvalidState, NotFound
from runtime.fsutil import contained_path
from runtime.registry_entities import LoggedModel, LoggedModelStatus
from runtime.search.paging import paginate
from runtime.store.file import meta_yaml
from runtime.store.file.layout import filling_new_folder, read_key_value_files, write_atomic
from runtime.store import registry_search as search
from runtime.store.contract.model_registry import LoggedModelStore, logged_model_not_found, now_ms
from runtime.validation import (
    validate_experiment_id,
    validate_logged_model_id,
)

MODELS_FOLDER = "models"
TRASH_FOLDER = ".trash"
META_FILE = "meta.yaml"
_STATUS_TO_INT = {"UNSPECIFIED": 0, "PENDING": 1, "READY": 2, "FAILED": 3}
_STATUS_FROM_INT = {v: k for k, v in _STATUS_TO_INT.items()}


def new_model_id():
    return "m-" + uuid.uuid4().hex


def model_artifact_location(experiment_artifact_location, model_id):
    return f"{experiment_artifact_location.rstrip('/')}/{MODELS_FOLDER}/{model_id}/artifacts"


def format_metric_line(metric, run_id):
    fields = [str(int(metric.timestamp)), repr(float(metric.value)), str(int(metric.step or 0)), run_id]
    if metric.dataset_name is not None and metric.dataset_digest is not None:
        fields += [metric.dataset_name, metric.dataset_digest]
    return " ".join(fields) + "\n"


def parse_metric_line(key, line, model_id):
    """One metrics/<key> line; a dataset name may itself contain spaces (the digest cannot)."""
    fields = line.split(" ")
    if len(fields) < 4 or len(fields) == 5:
        raise InvalidState(f"Metric '{key}' of logged model {model_id} is malformed: {line!r}")
    dataset_name = dataset_digest = None
    if len(fields) >= 6:
        dataset_name, dataset_digest = " ".join(fields[4:-1]), fields[-1]
    return Metric(
        key=key, value=float(fields[1]), timestamp=int(fields[0]), step=int(fields[2]),
        run_id=fields[3], model_id=model_id, dataset_name=dataset_name, dataset_digest=dataset_digest,
    )


class LoggedModelFiles:
    """Logged-model folders below one file store root."""

    def __init__(self, root_directory):
        self.root = os.path.abspath(root_directory)

    # ---- locating ---------------------------------------------------
    def experiment_dirs(self):
        """(experiment_id, folder) of every experiment, active ones first, then the trash."""
        for parent in (self.root, os.path.join(self.root, TRASH_FOLDER)):
            try:
                names = sorted(os.listdir(parent))
            except FileNotFoundError:
                continue
            for name in names:
                if name in (TRASH_FOLDER, MODELS_FOLDER) or name.startswith("."):
                    continue
                folder = os.path.join(parent, name)
                if os.path.isdir(folder):
                    yield name, folder

    def experiment_dir(self, experiment_id):
        for name, folder in self.experiment_dirs():
            if name == experiment_id:
                return folder
        return None

    def find(self, model_id):
        """The folder of model_id, or None."""
        for _name, folder in self.experiment_dirs():
            candidate = os.path.join(folder, MODELS_FOLDER, model_id)
            if os.path.isfile(os.path.join(candidate, META_FILE)):
                return candidate
        return None

    def folder_of(self, model_id):
        folder = self.find(validate_logged_model_id(model_id))
        if folder is None:
            raise logged_model_not_found(model_id)
        return folder

    def model_folders(self, experiment_ids):
        for experiment_id in experiment_ids:
            folder = self.experiment_dir(experiment_id)
            models = os.path.join(folder, MODELS_FOLDER) if folder else None
            if not models or not os.path.isdir(models):
                continue
            for name in sorted(os.listdir(models)):
                path = os.path.join(models, name)
                if os.path.isfile(os.path.join(path, META_FILE)):
                    yield path

    # ---- reading ----------------------------------------------------
    def read_meta(self, folder):
        meta = meta_yaml.load_file(os.path.join(folder, META_FILE)) or {}
        if "model_id" not in meta or "experiment_id" not in meta:
            raise InvalidState(f"Model '{os.path.basename(folder)}' metadata is in invalid state.")
        return meta

    def read(self, folder):
        meta = self.read_meta(folder)
        model_id = meta["model_id"]
        status = meta.get("status", 1)
        metrics = []
        for key, content in sorted(read_key_value_files(os.path.join(folder, "metrics")).items()):
            metrics += [parse_metric_line(key, line, model_id) for line in content.splitlines() if line.strip()]
        return LoggedModel(
            model_id=model_id,
            experiment_id=str(meta["experiment_id"]),
            name=meta.get("name") or "",
            artifact_location=meta.get("artifact_location") or "",
            creation_timestamp=meta.get("creation_timestamp"),
            last_updated_timestamp=meta.get("last_updated_timestamp"),
            status=_STATUS_FROM_INT.get(status) if isinstance(status, int) else LoggedModelStatus.parse(status),
            status_message=meta.get("status_message"),
            model_type=meta.get("model_type"),
            source_run_id=meta.get("source_run_id"),
            tags=read_key_value_files(os.path.join(folder, "tags")),
            params=read_key_value_files(os.path.join(folder, "params")),
            metrics=metrics,
            lifecycle_stage=meta.get("lifecycle_stage") or LifecycleStage.ACTIVE,
        )

    def get(self, model_id, allow_deleted=False):
        model = self.read(self.folder_of(model_id))
        if model.lifecycle_stage == LifecycleStage.DELETED and not allow_deleted:
            raise logged_model_not_found(model_id)
        return model

    # ---- writing ----------------------------------------------------
    def write_meta(self, folder, model):
        meta = {
            "artifact_location": model.artifact_location,
            "creation_timestamp": model.creation_timestamp,
            "experiment_id": model.experiment_id,
            "last_updated_timestamp": model.last_updated_timestamp,
            "lifecycle_stage": model.lifecycle_stage,
            "model_id": model.model_id,
            "model_type": model.model_type,
            "name": model.name,
            "source_run_id": model.source_run_id,
            "status": _STATUS_TO_INT[model.status],
            "status_message": model.status_message,
        }
        write_atomic(os.path.join(folder, META_FILE), meta_yaml.dumps(meta))

    def write_value(self, folder, kind, key, value):
        write_atomic(contained_path(os.path.join(folder, kind), key), value)

    def append_metrics(self, folder, run_id, metrics):
        for metric in metrics:
            path = contained_path(os.path.join(folder, "metrics"), metric.key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(format_metric_line(metric, run_id))


class LoggedModelsFileMixin(LoggedModelStore):
    """LoggedModelStore for the file tracking store (host: root_directory, get_experiment)."""

    @property
    def _logged_model_files(self):
        return LoggedModelFiles(self.root_directory)

    def _create_logged_model(self, experiment_id, name, source_run_id, tags, params, model_type):
        experiment = self.get_experiment(experiment_id)
        if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidState(f"Could not create model under non-active experiment with ID {experiment_id}.")
        files = self._logged_model_files
        model_id = new_model_id()
        folder = os.path.join(files.experiment_dir(experiment_id), MODELS_FOLDER, model_id)
        os.makedirs(folder)
        now = now_ms()
        model = LoggedModel(
            model_id=model_id,
            experiment_id=experiment_id,
            name=name or generated_model_name(),
            artifact_location=model_artifact_location(experiment.artifact_location, model_id),
            creation_timestamp=now,
            last_updated_timestamp=now,
            status=LoggedModelStatus.PENDING,
            model_type=model_type or None,
            source_run_id=source_run_id or None,
        )
        with filling_new_folder(folder):
            for kind, values in (("params", params), ("tags", tags)):
                for key, value in values.items():
                    files.write_value(folder, kind, key, value)
            # meta.yaml last: a model is visible only once it is complete.
            files.write_meta(folder, model)
        return files.read(folder)

    def _get_logged_model(self, model_id, allow_deleted):
        return self._logged_model_files.get(model_id, allow_deleted)

    def _update_logged_model(self, model_id, change):
        files = self._logged_model_files
        folder = files.folder_of(model_id)
        model = files.read(folder)
        if model.lifecycle_stage == LifecycleStage.DELETED:
            raise logged_model_not_found(model_id)
        change(model)
        model.last_updated_timestamp = now_ms()
        files.write_meta(folder, model)
        return files.read(folder)

    def _finalize_logged_model(self, model_id, status):
        def set_status(model):
            model.status = status

        return self._update_logged_model(model_id, set_status)

    def _set_logged_model_tags(self, model_id, tags):
        files = self._logged_model_files
        folder = files.folder_of(model_id)
        files.get(model_id)  # deleted models take no tags
        for key, value in tags.items():
            files.write_value(folder, "tags", key, value)

    def _delete_logged_model_tag(self, model_id, key):
        files = self._logged_model_files
        folder = files.folder_of(model_id)
        files.get(model_id)
        path = contained_path(os.path.join(folder, "tags"), key)
        if not os.path.isfile(path):
            raise NotFound(f"No tag with key {key!r} found for model with ID {model_id!r}.")
        os.remove(path)

    def _log_logged_model_params(self, model_id, params):
        files = self._logged_model_files
        folder = files.folder_of(model_id)
        model = files.get(model_id)
        for key, value in params.items():
            if key in model.params and model.params[key] != value:
                raise InvalidParameter(
                    f"Changing param values is not allowed. Param with key='{key}' was already logged with "
                    f"value='{model.params[key]}' for model ID '{model_id}'. Attempted logging new value '{value}'."
                )
        for key, value in params.items():
            if key not in model.params:
                files.write_value(folder, "params", key, value)

    def record_logged_model_metrics(self, run_id, metrics):
        by_model = {}
        for metric in metrics:
            if metric.model_id:
                by_model.setdefault(metric.model_id, []).append(metric)
        files = self._logged_model_files
        for model_id, model_metrics in by_model.items():
            folder = files.folder_of(model_id)
            files.append_metrics(folder, run_id, model_metrics)

    def _search_logged_models(self, experiment_ids, query):
        experiment_ids = [validate_experiment_id(e) for e in experiment_ids or []]
        files = self._logged_model_files
        models = []
        for folder in files.model_folders(experiment_ids):
            model = files.read(folder)
            if model.lifecycle_stage != LifecycleStage.DELETED and search.logged_model_matches(model, query.comparisons,
                                                                                                  query.datasets):
                models.append(model)
        return paginate(search.sort_logged_models(models, query.order), query.max_results, query.page_token)

    def _delete_logged_model(self, model_id):
        def mark_deleted(model):
            model.lifecycle_stage = LifecycleStage.DELETED

        self._update_logged_model(model_id, mark_deleted)

    def get_deleted_logged_models(self, older_than_ms=None):
        files = self._logged_model_files
        cutoff = now_ms() - older_than_ms if older_than_ms is not None else None
        deleted = []
        for experiment_id, _folder in files.experiment_dirs():
            for folder in files.model_folders([experiment_id]):
                meta = files.read_meta(folder)
                if meta.get("lifecycle_stage") != LifecycleStage.DELETED:
                    continue
                if cutoff is None or (meta.get("last_updated_timestamp") or 0) <= cutoff:
                    deleted.append(meta["model_id"])
        return deleted

    def hard_delete_logged_model(self, model_id):
        files = self._logged_model_files
        folder = files.folder_of(model_id)
        shutil.rmtree(folder)


def generated_model_name():
    """A readable default name, as unnamed runs get (the module imports nothing heavy)."""
    from runtime.run_names import generate_run_name

    return generate_run_name()
