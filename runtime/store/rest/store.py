"""TrackingStore over MLflow's REST API: any MLflow-compatible server (mlf's or mlflow's).

The connection (credentials, TLS, timeouts, retries, error mapping) is runtime.http_client's.
"""

from runtime.entities import Experiment, Metric, PagedList, Run, RunInfo, ViewType
from runtime.errors import MlfError, NotFound
from runtime.http_client import HostCreds, HttpClient
from runtime.wire.protocol import fill_path, operation
from runtime.store.rest.logged_models import LoggedModelsRestMixin
from runtime.store.rest.traces import TraceRestStoreMixin
from runtime.store.contract.tracking import (
    EXPERIMENTS_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_DEFAULT,
    TrackingStore,
)
from runtime.validation import (
    MAX_EXPERIMENT_TAG_VALUE_LENGTH,
    validate_batch_size,
    validate_experiment_id,
    validate_experiment_name,
    validate_key,
    validate_metric,
    validate_param,
    validate_run_id,
    validate_run_name,
    validate_tag,
)


def _tag_list(tags, limit=None):
    """Tags as the API sends them, validated here so every server refuses the same input as local stores."""
    extra = {"limit": limit} if limit else {}
    return [{"key": k, "value": validate_tag(k, v, **extra)} for k, v in (tags or {}).items()]


class RestStore(LoggedModelsRestMixin, TraceRestStoreMixin, TrackingStore):
    """The TrackingStore API mapped onto a tracking server's REST endpoints.

    Input is validated with runtime.validation before it is sent: a real
    mlflow server accepts some names mlf refuses (keys with '..'), and mlf
    commands must behave the same whatever store they talk to.
    """

    def __init__(self, host_or_creds, environ=None):
        creds = host_or_creds if isinstance(host_or_creds, HostCreds) else HostCreds.from_env(host_or_creds, environ)
        self.creds = creds
        self.client = HttpClient(creds)

    def _rpc(self, name, body=None, path=None):
        """Call an RPC of MLflow's REST API by name; its method and path come from the wire schema."""
        method, template = operation(name)
        return self.client.call_json(method, self.creds.host + fill_path(template, path), body)

    # ---- experiments -------------------------------------------------
    def create_experiment(self, name, artifact_location=None, tags=None):
        body = {"name": validate_experiment_name(name), "artifact_location": artifact_location,
                "tags": _tag_list(tags, MAX_EXPERIMENT_TAG_VALUE_LENGTH)}
        return str(self._rpc("createExperiment", body)["experiment_id"])

    def get_experiment(self, experiment_id):
        body = {"experiment_id": validate_experiment_id(experiment_id)}
        return Experiment.from_dict(self._rpc("getExperiment", body)["experiment"])

    def get_experiment_by_name(self, name):
        try:
            data = self._rpc("getExperimentByName", {"experiment_name": name})
        except NotFound:
            return None
        return Experiment.from_dict(data["experiment"])

    def search_experiments(self, view_type=ViewType.ACTIVE_ONLY, max_results=EXPERIMENTS_MAX_RESULTS_DEFAULT,
                           filter_string=None, order_by=None, page_token=None):
        body = {
            "view_type": ViewType.to_name(view_type),
            "max_results": max_results,
            "filter": filter_string,
            "order_by": list(order_by or []),
            "page_token": page_token,
        }
        data = self._rpc("searchExperiments", body)
        return PagedList([Experiment.from_dict(e) for e in data.get("experiments", [])], data.get("next_page_token"))

    def delete_experiment(self, experiment_id):
        self._rpc("deleteExperiment", {"experiment_id": validate_experiment_id(experiment_id)})

    def restore_experiment(self, experiment_id):
        self._rpc("restoreExperiment", {"experiment_id": validate_experiment_id(experiment_id)})

    def rename_experiment(self, experiment_id, new_name):
        body = {"experiment_id": validate_experiment_id(experiment_id), "new_name": validate_experiment_name(new_name)}
        self._rpc("updateExperiment", body)

    def set_experiment_tag(self, experiment_id, key, value):
        value = validate_tag(key, value, MAX_EXPERIMENT_TAG_VALUE_LENGTH)
        body = {"experiment_id": validate_experiment_id(experiment_id), "key": key, "value": value}
        self._rpc("setExperimentTag", body)

    def delete_experiment_tag(self, experiment_id, key):
        body = {"experiment_id": validate_experiment_id(experiment_id), "key": validate_key(key, "tag name")}
        self._rpc("deleteExperimentTag", body)

    # ---- runs --------------------------------------------------------
    def create_run(self, experiment_id, user_id=None, start_time=None, tags=None, run_name=None):
        body = {"experiment_id": validate_experiment_id(experiment_id), "user_id": user_id,
                "start_time": start_time, "tags": _tag_list(tags), "run_name": validate_run_name(run_name)}
        return Run.from_dict(self._rpc("createRun", body)["run"])

    def get_run(self, run_id):
        return Run.from_dict(self._rpc("getRun", {"run_id": validate_run_id(run_id)})["run"])

    def update_run_info(self, run_id, status=None, end_time=None, run_name=None):
        body = {"run_id": validate_run_id(run_id), "status": status, "end_time": end_time,
                "run_name": validate_run_name(run_name)}
        return RunInfo.from_dict(self._rpc("updateRun", body)["run_info"])

    def delete_run(self, run_id):
        self._rpc("deleteRun", {"run_id": validate_run_id(run_id)})

    def restore_run(self, run_id):
        self._rpc("restoreRun", {"run_id": validate_run_id(run_id)})

    def search_runs(self, experiment_ids, filter_string=None, run_view_type=ViewType.ACTIVE_ONLY,
                    max_results=SEARCH_MAX_RESULTS_DEFAULT, order_by=None, page_token=None):
        body = {
            "experiment_ids": [validate_experiment_id(e) for e in experiment_ids],
            "filter": filter_string,
            "run_view_type": ViewType.to_name(run_view_type),
            "max_results": max_results,
            "order_by": list(order_by or []),
            "page_token": page_token,
        }
        data = self._rpc("searchRuns", body)
        return PagedList([Run.from_dict(r) for r in data.get("runs", [])], data.get("next_page_token"))

    def log_batch(self, run_id, metrics=(), params=(), tags=()):
        validate_batch_size(metrics, params, tags)
        for metric in metrics:
            validate_metric(metric.key, metric.value, metric.timestamp, metric.step)
        for param in params:
            validate_param(param.key, param.value)
        for tag in tags:
            validate_tag(tag.key, tag.value)
        body = {
            "run_id": validate_run_id(run_id),
            "metrics": [{k: v for k, v in m.to_dict().items() if k != "run_id"} for m in metrics],
            "params": [{"key": p.key, "value": p.value} for p in params],
            "tags": [{"key": t.key, "value": t.value} for t in tags],
        }
        self._rpc("logBatch", body)

    def log_metric(self, run_id, metric):
        validate_metric(metric.key, metric.value, metric.timestamp, metric.step)
        body = {k: v for k, v in metric.to_dict().items() if k != "run_id"}
        body["run_id"] = validate_run_id(run_id)
        self._rpc("logMetric", body)

    def log_param(self, run_id, param):
        body = {"run_id": validate_run_id(run_id), "key": param.key, "value": validate_param(param.key, param.value)}
        self._rpc("logParam", body)

    def set_tag(self, run_id, tag):
        body = {"run_id": validate_run_id(run_id), "key": tag.key, "value": validate_tag(tag.key, tag.value)}
        self._rpc("setTag", body)

    def delete_tag(self, run_id, key):
        self._rpc("deleteTag", {"run_id": validate_run_id(run_id), "key": validate_key(key, "tag name")})

    def get_metric_history(self, run_id, metric_key, max_results=None, page_token=None):
        """One page when max_results is given; otherwise every page, as one list."""
        def fetch(token):
            body = {"run_id": validate_run_id(run_id), "metric_key": metric_key, "max_results": max_results,
                    "page_token": token}
            data = self._rpc("getMetricHistory", body)
            return [Metric.from_dict(m) for m in data.get("metrics", [])], data.get("next_page_token")

        metrics, token = fetch(page_token)
        if max_results is not None:
            return PagedList(metrics, token)
        while token:
            more, token = fetch(token)
            metrics.extend(more)
        return PagedList(metrics, None)

    def log_inputs(self, run_id, datasets=None, models=None):
        body = {"run_id": validate_run_id(run_id), "datasets": [d.to_dict() for d in datasets or []],
                "models": list(models or [])}
        self._rpc("logInputs", body)

    def log_outputs(self, run_id, models):
        self._rpc("logOutputs", {"run_id": validate_run_id(run_id), "models": list(models)})

    # ---- garbage collection -----------------------------------------
    def _no_gc(self, *args, **kwargs):
        raise MlfError(
            f"Permanent deletion is not part of the REST API of {self.creds.host}: run `mlf gc` with "
            "--backend-store-uri naming the server's backend store."
        )

    get_deleted_runs = get_deleted_experiments = hard_delete_run = hard_delete_experiment = _no_gc

    def close(self):
        self.client.close()
