"""The tracking store contract every backend implements (file, SQL, REST).

Stores speak in entities (runtime.entities) and raise runtime.errors types:
NotFound for a missing id, AlreadyExists for a duplicate name,
InvalidParameter for bad input, InvalidState for an operation the object's
lifecycle forbids. The contract suite in tests/store_contract runs the same
tests against every implementation.
"""

from abc import ABC, abstractmethod

from runtime.entities import PagedList, Run, ViewType

# MLflow's limits, shared by every store so they all refuse the same input.
SEARCH_MAX_RESULTS_DEFAULT = 1000
SEARCH_MAX_RESULTS_THRESHOLD = 50000
EXPERIMENTS_MAX_RESULTS_DEFAULT = 1000
DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"


class TrackingStore(ABC):
    """The tracking store. Every backend implements each abstract method; a test checks it."""

    # ---- experiments -------------------------------------------------
    @abstractmethod
    def create_experiment(self, name, artifact_location=None, tags=None):
        """Create an experiment and return its id (str)."""

    @abstractmethod
    def get_experiment(self, experiment_id):
        """Return the Experiment, whatever its lifecycle stage; NotFound if absent."""

    @abstractmethod
    def get_experiment_by_name(self, name):
        """Return the Experiment with this name (active or deleted), or None."""

    @abstractmethod
    def search_experiments(
        self,
        view_type=ViewType.ACTIVE_ONLY,
        max_results=EXPERIMENTS_MAX_RESULTS_DEFAULT,
        filter_string=None,
        order_by=None,
        page_token=None,
    ):
        """Return a PagedList of Experiment."""

    @abstractmethod
    def delete_experiment(self, experiment_id):
        """Mark an active experiment (and its runs) deleted."""

    @abstractmethod
    def restore_experiment(self, experiment_id):
        """Bring a deleted experiment (and the runs deleted with it) back."""

    @abstractmethod
    def rename_experiment(self, experiment_id, new_name):
        ...

    @abstractmethod
    def set_experiment_tag(self, experiment_id, key, value):
        ...

    @abstractmethod
    def delete_experiment_tag(self, experiment_id, key):
        ...

    # ---- runs --------------------------------------------------------
    @abstractmethod
    def create_run(self, experiment_id, user_id=None, start_time=None, tags=None, run_name=None):
        """Create a RUNNING run; tags is a dict. Returns the Run."""

    @abstractmethod
    def get_run(self, run_id):
        ...

    @abstractmethod
    def update_run_info(self, run_id, status=None, end_time=None, run_name=None):
        """Update status / end time / name; returns the new RunInfo."""

    @abstractmethod
    def delete_run(self, run_id):
        ...

    @abstractmethod
    def restore_run(self, run_id):
        ...

    @abstractmethod
    def search_runs(
        self,
        experiment_ids,
        filter_string=None,
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=SEARCH_MAX_RESULTS_DEFAULT,
        order_by=None,
        page_token=None,
    ):
        """Return a PagedList of Run."""

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
        """search_runs for a table: the same runs, pages and errors, but each Run holds only the listed
        metric, param and tag keys (None: every key of that kind) and no inputs or outputs.

        This fallback trims full runs; stores override it to read only the listed keys.
        """
        page = self.search_runs(experiment_ids, filter_string, run_view_type, max_results, order_by, page_token)
        return PagedList([trimmed_run(run, metric_keys, param_keys, tag_keys) for run in page], page.token)

    def list_run_infos(self, experiment_id, run_view_type=ViewType.ACTIVE_ONLY):
        """RunInfo of every run of one experiment, newest first (start_time DESC, run_id ASC).

        A listing needs no metrics, params or tags; stores override this to skip reading them.
        """
        infos, token = [], None
        while True:
            page = self.search_runs([experiment_id], None, run_view_type, SEARCH_MAX_RESULTS_THRESHOLD, None, token)
            infos.extend(run.info for run in page)
            token = page.token
            if not token:
                return infos

    @abstractmethod
    def log_batch(self, run_id, metrics=(), params=(), tags=()):
        """Log Metric, Param and RunTag lists atomically."""

    def log_metric(self, run_id, metric):
        self.log_batch(run_id, metrics=[metric])

    def log_param(self, run_id, param):
        self.log_batch(run_id, params=[param])

    def set_tag(self, run_id, tag):
        self.log_batch(run_id, tags=[tag])

    @abstractmethod
    def delete_tag(self, run_id, key):
        ...

    @abstractmethod
    def get_metric_history(self, run_id, metric_key, max_results=None, page_token=None):
        """Return a PagedList of Metric ordered by (step, timestamp, value)."""

    @abstractmethod
    def log_inputs(self, run_id, datasets=None, models=None):
        """datasets: [DatasetInput]; models: [{"model_id": ...}]."""

    @abstractmethod
    def log_outputs(self, run_id, models):
        """models: [{"model_id": ..., "step": ...}]."""

    # ---- garbage collection -----------------------------------------
    @abstractmethod
    def get_deleted_runs(self, older_than_ms=None):
        """Ids of runs in the deleted stage, deleted at least older_than_ms ago."""

    @abstractmethod
    def get_deleted_experiments(self, older_than_ms=None):
        """Ids of experiments in the deleted stage, deleted at least older_than_ms ago."""

    @abstractmethod
    def hard_delete_run(self, run_id):
        """Remove a run's metadata for good (artifacts are the caller's job)."""

    @abstractmethod
    def hard_delete_experiment(self, experiment_id):
        """Remove an experiment and all its runs' metadata for good."""

    def close(self):
        """Release connections and file handles."""


def selected(values, keys):
    """values (a dict) reduced to keys, in the dict's order; every value when keys is None."""
    if keys is None:
        return dict(values)
    wanted = set(keys)
    return {key: value for key, value in values.items() if key in wanted}


def trimmed_run(run, metric_keys=None, param_keys=None, tag_keys=None):
    """The run with only the listed metric, param and tag keys (None keeps every key) and no inputs/outputs."""
    return Run(info=run.info, metrics=selected(run.metrics, metric_keys), params=selected(run.params, param_keys),
               tags=selected(run.tags, tag_keys))
