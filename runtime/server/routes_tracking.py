"""Tracking REST routes: experiments, runs, metrics, params, tags, inputs and outputs.

Each handler takes the parsed request (proto field names, see runtime/wire/protocol.py)
and returns the response message as a dict. Ids are validated here, before
any store sees them, so a file store never builds a path from a bad id.
"""

from runtime.entities import Dataset, DatasetInput, Metric, Param, RunTag, ViewType
from runtime.errors import InvalidParameter, NotFound
from runtime.server.artifact_access import ArtifactAccess
from runtime.server.routing import require, rpc_table_routes, run_id_of
from runtime.wire.protocol import missing_parameter
from runtime.validation import (
    MAX_EXPERIMENT_TAG_VALUE_LENGTH,
    validate_artifact_path,
    validate_batch_size,
    validate_experiment_id,
    validate_experiment_name,
    validate_key,
    validate_max_results,
    validate_metric,
    validate_param,
    validate_run_id,
    validate_run_name,
    validate_tag,
)

SERVICE = "mlflow.MlflowService."
MAX_RUNS_GET_METRIC_HISTORY_BULK = 100
MAX_RESULTS_PER_RUN = 2500
SEARCH_MAX_RESULTS = 50000


# ---- wire forms ------------------------------------------------------------
def metric_to_wire(metric):
    """A Metric as runs/get and metrics/get-history send it (no run_id)."""
    out = {"key": metric.key, "value": metric.value, "timestamp": metric.timestamp, "step": metric.step}
    for name in ("dataset_name", "dataset_digest", "model_id"):
        value = getattr(metric, name)
        if value is not None:
            out[name] = value
    return out


def run_to_wire(run, with_outputs=True):
    out = run.to_dict()
    if run.metrics:
        out["data"]["metrics"] = [metric_to_wire(m) for m in run.metrics.values()]
    if with_outputs:
        out.setdefault("outputs", {})
    return out


def paged(key, items, token):
    """A list response: empty lists and missing tokens are left out, as protobuf JSON does."""
    out = {}
    if items:
        out[key] = items
    if token:
        out["next_page_token"] = token
    return out


def _view_type(name, default=ViewType.ACTIVE_ONLY):
    return ViewType.from_string(name) if name else default


def _tags_dict(entries, limit=None):
    tags = {}
    for entry in entries or ():
        key = validate_key(entry.get("key"), "tag name")
        tags[key] = validate_tag(key, entry.get("value", ""), **({"limit": limit} if limit else {}))
    return tags


# ---- handlers --------------------------------------------------------------
class TrackingHandlers:
    def __init__(self, ctx):
        self.ctx = ctx
        self.access = ArtifactAccess(ctx.config)

    @property
    def store(self):
        return self.ctx.tracking_store

    # experiments
    def create_experiment(self, body, request):
        name = validate_experiment_name(require(body, "name"))
        location = self.access.check_location(body.get("artifact_location") or None)
        tags = _tags_dict(body.get("tags"), MAX_EXPERIMENT_TAG_VALUE_LENGTH)
        experiment_id = self.store.create_experiment(name, location, tags or None)
        return {"experiment_id": str(experiment_id)}

    def get_experiment(self, body, request):
        experiment_id = validate_experiment_id(require(body, "experiment_id"))
        return {"experiment": self.store.get_experiment(experiment_id).to_dict()}

    def get_experiment_by_name(self, body, request):
        name = require(body, "experiment_name")
        experiment = self.store.get_experiment_by_name(name)
        if experiment is None:
            raise NotFound(f"Could not find experiment with name '{name}'")
        return {"experiment": experiment.to_dict()}

    def search_experiments(self, body, request):
        max_results = validate_max_results(body.get("max_results", 1000), SEARCH_MAX_RESULTS)
        page = self.store.search_experiments(
            view_type=_view_type(body.get("view_type")),
            max_results=max_results,
            filter_string=body.get("filter") or None,
            order_by=body.get("order_by") or None,
            page_token=body.get("page_token") or None,
        )
        return paged("experiments", [e.to_dict() for e in page], page.token)

    def delete_experiment(self, body, request):
        self.store.delete_experiment(validate_experiment_id(require(body, "experiment_id")))

    def restore_experiment(self, body, request):
        self.store.restore_experiment(validate_experiment_id(require(body, "experiment_id")))

    def update_experiment(self, body, request):
        experiment_id = validate_experiment_id(require(body, "experiment_id"))
        new_name = body.get("new_name")
        if new_name:
            self.store.rename_experiment(experiment_id, validate_experiment_name(new_name))
        else:
            missing_parameter("new_name")

    def set_experiment_tag(self, body, request):
        experiment_id = validate_experiment_id(require(body, "experiment_id"))
        key = validate_key(require(body, "key"), "tag name")
        value = validate_tag(key, body.get("value", ""), MAX_EXPERIMENT_TAG_VALUE_LENGTH)
        self.store.set_experiment_tag(experiment_id, key, value)

    def delete_experiment_tag(self, body, request):
        experiment_id = validate_experiment_id(require(body, "experiment_id"))
        self.store.delete_experiment_tag(experiment_id, validate_key(require(body, "key"), "tag name"))

    # runs
    def create_run(self, body, request):
        experiment_id = validate_experiment_id(require(body, "experiment_id"))
        run = self.store.create_run(
            experiment_id,
            user_id=body.get("user_id") or None,
            start_time=body.get("start_time"),
            tags=_tags_dict(body.get("tags")),
            run_name=validate_run_name(body.get("run_name") or None),
        )
        return {"run": run_to_wire(run, with_outputs=False)}

    def get_run(self, body, request):
        return {"run": run_to_wire(self.store.get_run(validate_run_id(run_id_of(body))))}

    def update_run(self, body, request):
        run_id = validate_run_id(run_id_of(body))
        info = self.store.update_run_info(
            run_id,
            status=body.get("status"),
            end_time=body.get("end_time"),
            run_name=validate_run_name(body.get("run_name") or None),
        )
        return {"run_info": info.to_dict()}

    def delete_run(self, body, request):
        self.store.delete_run(validate_run_id(require(body, "run_id")))

    def restore_run(self, body, request):
        self.store.restore_run(validate_run_id(require(body, "run_id")))

    def search_runs(self, body, request):
        experiment_ids = [validate_experiment_id(e) for e in body.get("experiment_ids", [])]
        max_results = validate_max_results(body.get("max_results", 1000), SEARCH_MAX_RESULTS)
        page = self.store.search_runs(
            experiment_ids,
            filter_string=body.get("filter") or None,
            run_view_type=_view_type(body.get("run_view_type")),
            max_results=max_results,
            order_by=body.get("order_by") or None,
            page_token=body.get("page_token") or None,
        )
        return paged("runs", [run_to_wire(r) for r in page], page.token)

    def log_metric(self, body, request):
        run_id = validate_run_id(run_id_of(body))
        key = require(body, "key")
        value, timestamp, step = validate_metric(key, body.get("value"), body.get("timestamp"), body.get("step", 0))
        self.store.log_metric(run_id, Metric(
            key, value, timestamp, step,
            model_id=body.get("model_id") or None,
            dataset_name=body.get("dataset_name") or None,
            dataset_digest=body.get("dataset_digest") or None,
        ))

    def log_param(self, body, request):
        run_id = validate_run_id(run_id_of(body))
        key = require(body, "key")
        self.store.log_param(run_id, Param(key, validate_param(key, body.get("value", ""))))

    def set_tag(self, body, request):
        run_id = validate_run_id(run_id_of(body))
        key = require(body, "key")
        self.store.set_tag(run_id, RunTag(key, validate_tag(key, body.get("value", ""))))

    def delete_tag(self, body, request):
        run_id = validate_run_id(require(body, "run_id"))
        self.store.delete_tag(run_id, validate_key(require(body, "key"), "tag name"))

    def log_batch(self, body, request):
        run_id = validate_run_id(require(body, "run_id"))
        metrics, params, tags = body.get("metrics", []), body.get("params", []), body.get("tags", [])
        validate_batch_size(metrics, params, tags)
        # Every store validates a whole batch before writing any of it (the store contract), with
        # the same messages: checking each entry here as well would only do the work twice.
        metric_entities = [
            Metric(m.get("key"), m.get("value"), m.get("timestamp"), m.get("step", 0),
                   model_id=m.get("model_id") or None, dataset_name=m.get("dataset_name") or None,
                   dataset_digest=m.get("dataset_digest") or None)
            for m in metrics
        ]
        param_entities = [Param(p.get("key"), p.get("value", "")) for p in params]
        tag_entities = [RunTag(t.get("key"), t.get("value", "")) for t in tags]
        self.store.log_batch(run_id, metrics=metric_entities, params=param_entities, tags=tag_entities)

    def log_inputs(self, body, request):
        run_id = validate_run_id(require(body, "run_id"))
        datasets = []
        for entry in body.get("datasets", []):
            data = entry.get("dataset")
            if not data or not data.get("name") or not data.get("digest"):
                raise InvalidParameter("Each dataset input needs a dataset with a name and a digest")
            dataset = Dataset(data["name"], data["digest"], data.get("source_type", ""), data.get("source", ""),
                              data.get("schema"), data.get("profile"))
            datasets.append(DatasetInput(dataset, _tags_dict(entry.get("tags"))))
        models = [{"model_id": m["model_id"]} for m in body.get("models", []) if m.get("model_id")]
        self.store.log_inputs(run_id, datasets=datasets, models=models or None)

    def log_outputs(self, body, request):
        run_id = validate_run_id(require(body, "run_id"))
        models = body.get("models")
        if not models:
            missing_parameter("models")
        outputs = []
        for model in models:
            if not model.get("model_id"):
                missing_parameter("models.model_id")
            outputs.append({"model_id": model["model_id"], "step": model.get("step", 0)})
        self.store.log_outputs(run_id, outputs)

    # metrics
    def get_metric_history(self, body, request):
        run_id = validate_run_id(run_id_of(body))
        key = validate_key(require(body, "metric_key"), "metric name")
        max_results = body.get("max_results")
        if max_results is not None and max_results <= 0:
            raise InvalidParameter(f"Invalid value {max_results} for parameter 'max_results': it must be at least 1")
        page = self.store.get_metric_history(run_id, key, max_results=max_results,
                                             page_token=body.get("page_token") or None)
        return paged("metrics", [metric_to_wire(m) for m in page], page.token)

    def get_metric_history_bulk_interval(self, body, request):
        run_ids = body.get("run_ids") or []
        if not run_ids:
            missing_parameter("run_ids")
        if len(run_ids) > MAX_RUNS_GET_METRIC_HISTORY_BULK:
            raise InvalidParameter(
                f"GetMetricHistoryBulkInterval request must specify at most {MAX_RUNS_GET_METRIC_HISTORY_BULK} "
                f"run_ids. Received {len(run_ids)} run_ids."
            )
        run_ids = [validate_run_id(r) for r in run_ids]
        key = validate_key(require(body, "metric_key"), "metric name")
        max_results = body.get("max_results", MAX_RESULTS_PER_RUN)
        if not 1 <= max_results <= MAX_RESULTS_PER_RUN:
            raise InvalidParameter(f"max_results must be between 1 and {MAX_RESULTS_PER_RUN}.")
        start, end = body.get("start_step"), body.get("end_step")
        if start is not None and end is not None:
            if start > end:
                raise InvalidParameter("end_step must be greater than start_step. "
                                       f"Found start_step={start} and end_step={end}.")
        elif start is not None or end is not None:
            raise InvalidParameter("If either start step or end step are specified, both must be specified.")
        histories = {run_id: list(self.store.get_metric_history(run_id, key)) for run_id in run_ids}
        all_steps = sorted({m.step for history in histories.values() for m in history})
        if not all_steps:
            return {}
        if start is None:
            start, end = all_steps[0], all_steps[-1]
        chosen = sample_steps([s for s in all_steps if start <= s <= end], max_results)
        metrics = []
        for run_id in run_ids:
            for metric in sorted(histories[run_id], key=lambda m: (m.step, m.timestamp, m.value)):
                if metric.step in chosen:
                    item = metric_to_wire(metric)
                    item["run_id"] = run_id
                    metrics.append(item)
        return paged("metrics", metrics, None)

    # artifacts of a run, listed through the tracking API (used by the UI)
    def list_artifacts(self, body, request):
        run = self.store.get_run(validate_run_id(run_id_of(body)))
        path = validate_artifact_path(body.get("path") or "")
        root_uri = run.info.artifact_uri
        repository = self.access.repository_for(root_uri)
        files = [info.to_dict() for info in repository.list_artifacts(path or None)]
        out = {"root_uri": root_uri}
        if files:
            out["files"] = files
        return out


def sample_steps(steps, max_results):
    """At most max_results of the sorted steps, evenly spread, always keeping the first and last."""
    if len(steps) <= max_results:
        return set(steps)
    if max_results == 1:
        return {steps[0]}
    stride = (len(steps) - 1) / (max_results - 1)
    return {steps[round(i * stride)] for i in range(max_results)}


# rpc short name -> handler method name
RPC_HANDLERS = {
    "createExperiment": "create_experiment",
    "getExperiment": "get_experiment",
    "getExperimentByName": "get_experiment_by_name",
    "searchExperiments": "search_experiments",
    "deleteExperiment": "delete_experiment",
    "restoreExperiment": "restore_experiment",
    "updateExperiment": "update_experiment",
    "setExperimentTag": "set_experiment_tag",
    "deleteExperimentTag": "delete_experiment_tag",
    "createRun": "create_run",
    "getRun": "get_run",
    "updateRun": "update_run",
    "deleteRun": "delete_run",
    "restoreRun": "restore_run",
    "searchRuns": "search_runs",
    "logMetric": "log_metric",
    "logParam": "log_param",
    "setTag": "set_tag",
    "deleteTag": "delete_tag",
    "logBatch": "log_batch",
    "logInputs": "log_inputs",
    "logOutputs": "log_outputs",
    "getMetricHistory": "get_metric_history",
    "getMetricHistoryBulkInterval": "get_metric_history_bulk_interval",
    "listArtifacts": "list_artifacts",
}


def routes(ctx):
    return rpc_table_routes(SERVICE, RPC_HANDLERS, TrackingHandlers(ctx))
