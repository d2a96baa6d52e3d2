"""Runs in the file store: <root>/<experiment_id>/<run_id>/meta.yaml, their lifecycle and search."""

import logging
import os

from runtime import validation
from runtime.entities import (
    LifecycleStage,
    PagedList,
    Run,
    RunInfo,
    RunStatus,
    ViewType,
)
from runtime.errors import InvalidParameter, InvalidState, NotFound
from runtime.run_names import generate_run_name
from runtime.search import evaluate, filter as search_filter, paging
from runtime.store.contract.tracking import (
    DEFAULT_EXPERIMENT_ID,
    SEARCH_MAX_RESULTS_DEFAULT,
)
from runtime.store.file import layout  # layout.now_ms is the clock GC tests set
from runtime.store.file.layout import (
    ARTIFACTS, DIR_MODE, FOLDER_ID, META, METRICS, PARAMS, RESERVED_EXPERIMENT_FOLDERS, RUN_NAME_TAG, TAGS, TEMP_PREFIX, MalformedRecord,
    MissingMeta, append_to_uri_path, key_value_pairs, optional_int, parse_search_args,
)

_logger = logging.getLogger("mlf")
SOURCE_TYPE_LOCAL = 4  # MLflow's SourceType.LOCAL, recorded in every run's meta.yaml


class RunRecord:
    """A run's meta.yaml, read: its RunInfo plus what only the file store keeps."""

    __slots__ = ("info", "deleted_time", "path", "experiment_path", "meta")

    def __init__(self, info, deleted_time, path, experiment_path, meta):
        self.info = info
        self.deleted_time = deleted_time
        self.path = path
        self.experiment_path = experiment_path
        self.meta = meta



class RunFiles:
    """Run methods of the file store: read, search, create, update, delete and restore."""

    def _run_dirs(self, experiment_folder):
        """(run_id, folder) of every run-shaped folder of an experiment."""
        try:
            entries = list(os.scandir(experiment_folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in RESERVED_EXPERIMENT_FOLDERS or not FOLDER_ID.match(name):
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
                start_time=optional_int(meta.get("start_time"), "start_time"),
                end_time=optional_int(meta.get("end_time"), "end_time"),
                artifact_uri="" if artifact_uri is None else str(artifact_uri),
                lifecycle_stage=stage,
            )
            deleted_time = optional_int(meta.get("deleted_time"), "deleted_time")
        except ValueError as exc:
            raise MalformedRecord(f"{folder}/{META}: {exc}") from None
        if not info.run_name:
            # Runs written before run_name existed keep it only in the tag.
            info.run_name = self._read_key_files(os.path.join(folder, TAGS), [RUN_NAME_TAG]).get(RUN_NAME_TAG, "")
        return RunRecord(info, deleted_time, folder, experiment_folder, meta)

    def _run_records(self, experiment_id, experiment_folder, stages=None):
        """Readable runs of one experiment; malformed ones are logged and skipped."""
        records = []
        for run_id, folder in self._run_dirs(experiment_folder):
            try:
                record = self._read_run_record(experiment_id, folder, run_id, experiment_folder)
            except MissingMeta:
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
                except MissingMeta:
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

    def _search_records(self, experiment_ids, filter_string, run_view_type, max_results, order_by, page_token,
                        hydrate):
        """A PagedList of hydrate(record, dataset_cache) for one page of the runs matching the search."""
        max_results, comparisons, order_keys = parse_search_args(
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
        return PagedList([hydrate(records[id(run)], dataset_cache) for run in page], page.token)

    def search_runs(
        self,
        experiment_ids,
        filter_string=None,
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=SEARCH_MAX_RESULTS_DEFAULT,
        order_by=None,
        page_token=None,
    ):
        return self._search_records(experiment_ids, filter_string, run_view_type, max_results, order_by, page_token,
                                    self._hydrate)

    def search_run_columns(
        self,
        experiment_ids,
        filter_string=None,
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=SEARCH_MAX_RESULTS_DEFAULT,
        order_by=None,
        page_token=None,
        metric_keys=None,
        param_keys=None,
        tag_keys=None,
    ):
        def columns_only(record, _dataset_cache):
            folder = record.path
            return Run(
                info=record.info,
                metrics=self._read_metrics(folder, record.info.run_id, metric_keys),
                params=self._read_key_files(os.path.join(folder, PARAMS), param_keys),
                tags=self._read_key_files(os.path.join(folder, TAGS), tag_keys),
            )

        return self._search_records(experiment_ids, filter_string, run_view_type, max_results, order_by, page_token,
                                    columns_only)

    def list_run_infos(self, experiment_id, run_view_type=ViewType.ACTIVE_ONLY):
        experiment_id = str(experiment_id)
        location = self._locate_experiment(experiment_id)
        if location is None:
            return []
        stages = ViewType.stages(run_view_type or ViewType.ACTIVE_ONLY)
        runs = [Run(info=record.info) for record in self._run_records(experiment_id, location[0], stages)]
        return [run.info for run in evaluate.sort_runs(runs, [])]

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
        for key, value in key_value_pairs(tags, "tag"):
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
            start_time=layout.now_ms() if start_time is None else int(start_time),
            end_time=None,
            artifact_uri=append_to_uri_path(experiment.artifact_location, run_id, ARTIFACTS),
            lifecycle_stage=LifecycleStage.ACTIVE,
        )
        # Build the run in a hidden folder and rename it into place: readers see all of it or nothing.
        staging = tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder)
        try:
            self._write_meta(staging, self._run_meta(info))
            for sub in (METRICS, PARAMS, ARTIFACTS):
                os.mkdir(os.path.join(staging, sub))
            for key, value in tag_values.items():
                self._write_atomic(os.path.join(staging, TAGS, *key.split("/")), value)
            os.chmod(staging, DIR_MODE)  # mkdtemp makes it private
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
        self._rewrite_run_meta(record, lifecycle_stage=LifecycleStage.DELETED, deleted_time=layout.now_ms())

    def restore_run(self, run_id):
        record = self._find_run(run_id)
        self._rewrite_run_meta(record, lifecycle_stage=LifecycleStage.ACTIVE, deleted_time=None)

    def get_deleted_runs(self, older_than_ms=None):
        now = layout.now_ms()
        deleted = []
        for experiment_id, folder, _ in self._experiment_dirs(ViewType.ALL):
            for record in self._run_records(experiment_id, folder, (LifecycleStage.DELETED,)):
                if older_than_ms is None or record.deleted_time is None or now - record.deleted_time >= older_than_ms:
                    deleted.append(record.info.run_id)
        return deleted

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
