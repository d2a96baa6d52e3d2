"""Routes MLflow's web UI calls outside the protobuf services.

- ``GET /ajax-api/2.0/mlflow/metrics/get-history-bulk``: one metric's history for up to 100 runs;
- ``POST /ajax-api/2.0/mlflow/experiments/search-datasets``: the datasets runs of some experiments used;
- ``POST /ajax-api/2.0/mlflow/upload-artifact``: a small file (at most 10 MB) into a run's artifacts;
- ``GET /get-artifact``: one file of a run's artifacts, sent as an attachment.

Request and error shapes follow MLflow's Flask handlers for these paths.
"""

import os
import posixpath
import shutil
import tempfile

from runtime.entities import ViewType
from runtime.errors import InvalidParameter, MlfError
from runtime.server.artifact_access import ArtifactAccess
from runtime.server.routing import (
    endpoint,
    error_response,
    internal_error_response,
    is_json_content_type,
)
from runtime.server.routes_tracking import metric_to_wire
from runtime.validation import validate_artifact_path, validate_experiment_id, validate_key, validate_run_id

MAX_HISTORY_RESULTS = 25000
MAX_RUN_IDS_PER_REQUEST = 100
MAX_EXPERIMENT_IDS_PER_SEARCH = 20
MAX_DATASET_SUMMARIES = 1000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DATASET_CONTEXT_TAG = "mlflow.data.context"


def check_json_content_type(request):
    """MLflow's check on POST/PUT bodies of its hand-written JSON handlers."""
    if request.method not in ("POST", "PUT"):
        return
    if "content-type" not in request.headers:
        raise InvalidParameter("Bad Request. Content-Type header is missing.")
    if not is_json_content_type(request):
        raise InvalidParameter("Bad Request. Content-Type must be one of ['application/json'].")


def _int_arg(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"Invalid value \"{value}\" for parameter '{name}' supplied: expected an integer") from None


class UiHandlers:
    def __init__(self, ctx):
        self.ctx = ctx
        self.access = ArtifactAccess(ctx.config)

    @property
    def store(self):
        return self.ctx.tracking_store

    def get_metric_history_bulk(self, body, request):
        run_ids = request.query_params.getlist("run_id")
        if not run_ids:
            raise InvalidParameter("GetMetricHistoryBulk request must specify at least one run_id.")
        if len(run_ids) > MAX_RUN_IDS_PER_REQUEST:
            raise InvalidParameter(f"GetMetricHistoryBulk request cannot specify more than {MAX_RUN_IDS_PER_REQUEST}"
                                   f" run_ids. Received {len(run_ids)} run_ids.")
        metric_key = request.query_params.get("metric_key")
        if metric_key is None:
            raise InvalidParameter("GetMetricHistoryBulk request must specify a metric_key.")
        metric_key = validate_key(metric_key, "metric name")
        max_results = min(_int_arg(request.query_params.get("max_results", MAX_HISTORY_RESULTS), "max_results"),
                          MAX_HISTORY_RESULTS)
        metrics = []
        for run_id in sorted(validate_run_id(r) for r in run_ids):
            history = self.store.get_metric_history(run_id, metric_key, max_results=max_results)
            for metric in sorted(history, key=lambda m: (m.timestamp, m.step, m.value)):
                item = metric_to_wire(metric)
                item["run_id"] = run_id
                metrics.append(item)
        return {"metrics": metrics[:max_results]}

    def search_datasets(self, body, request):
        check_json_content_type(request)
        summaries = search_dataset_summaries(self.store, body.get("experiment_ids"))
        return {"dataset_summaries": summaries} if summaries else {}

    def upload_artifact(self, body, request, data):
        params = request.query_params
        run_id = params.get("run_uuid")
        if not run_id:
            raise InvalidParameter("Request must specify run_uuid.")
        path = params.get("path")
        if not path:
            raise InvalidParameter("Request must specify path.")
        path = validate_artifact_path(path, allow_empty=False)
        if not data:
            raise InvalidParameter("Request must specify data.")
        run = self.store.get_run(validate_run_id(run_id))
        repository = self.access.repository_for(run.info.artifact_uri)
        folder = tempfile.mkdtemp(prefix="mlf-upload-")
        try:
            local = os.path.join(folder, posixpath.basename(path))
            with open(local, "wb") as handle:
                handle.write(data)
            repository.log_artifact(local, posixpath.dirname(path) or None)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def run_artifact_location(self, request):
        params = request.query_params
        run_id = params.get("run_id") or params.get("run_uuid")
        if not run_id:
            raise InvalidParameter("Missing value for required parameter 'run_id'.")
        path = params.get("path")
        if path is None:
            raise InvalidParameter("Missing value for required parameter 'path'.")
        path = validate_artifact_path(path, allow_empty=False)
        run = self.store.get_run(validate_run_id(run_id))
        return self.access.repository_for(run.info.artifact_uri), path


def search_dataset_summaries(store, experiment_ids):
    """SearchDatasets: the summaries for 1 to 20 experiments, with MLflow's messages for other counts."""
    experiment_ids = experiment_ids or []
    if not isinstance(experiment_ids, list):
        experiment_ids = [experiment_ids]
    if not experiment_ids:
        raise InvalidParameter("SearchDatasets request must specify at least one experiment_id.")
    if len(experiment_ids) > MAX_EXPERIMENT_IDS_PER_SEARCH:
        raise InvalidParameter(f"SearchDatasets request cannot specify more than {MAX_EXPERIMENT_IDS_PER_SEARCH}"
                               f" experiment_ids. Received {len(experiment_ids)} experiment_ids.")
    return dataset_summaries(store, [validate_experiment_id(e) for e in experiment_ids])


def dataset_summaries(store, experiment_ids):
    """Distinct (experiment_id, name, digest, context) of the datasets any run of the experiments logged."""
    seen = {}
    for experiment_id in experiment_ids:
        token = None
        while True:
            page = store.search_runs([experiment_id], run_view_type=ViewType.ALL, max_results=1000, page_token=token)
            for run in page:
                for dataset_input in run.dataset_inputs:
                    dataset = dataset_input.dataset
                    summary = {"experiment_id": str(experiment_id), "name": dataset.name, "digest": dataset.digest}
                    context = dataset_input.tags.get(DATASET_CONTEXT_TAG)
                    if context is not None:
                        summary["context"] = context
                    seen.setdefault(tuple(sorted(summary.items())), summary)
                    if len(seen) >= MAX_DATASET_SUMMARIES:
                        return list(seen.values())
            token = page.token
            if not token:
                break
    return list(seen.values())


def _upload_endpoint(handlers):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    too_large = InvalidParameter("Artifact size is too large. Max size is 10MB.")

    async def serve(request):
        try:
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
                raise too_large
            chunks, size = [], 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise too_large
                chunks.append(chunk)
            await run_in_threadpool(handlers.upload_artifact, {}, request, b"".join(chunks))
        except MlfError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - answer in MLflow's error format
            return internal_error_response(exc)
        return Response(b"", media_type="application/json")

    return serve


def _artifact_endpoint(locate):
    from starlette.concurrency import run_in_threadpool

    from runtime.server.artifact_files import send_artifact

    async def serve(request):
        try:
            repository, path = await run_in_threadpool(locate, request)
            return await send_artifact(repository, path)
        except MlfError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - answer in MLflow's error format
            return internal_error_response(exc)

    return serve


def routes(ctx):
    from starlette.routing import Route

    handlers = UiHandlers(ctx)
    return [
        Route("/ajax-api/2.0/mlflow/metrics/get-history-bulk", endpoint(handlers.get_metric_history_bulk),
              methods=["GET"]),
        Route("/ajax-api/2.0/mlflow/experiments/search-datasets", endpoint(handlers.search_datasets),
              methods=["POST"]),
        Route("/ajax-api/2.0/mlflow/upload-artifact", _upload_endpoint(handlers), methods=["POST"]),
        Route("/get-artifact", _artifact_endpoint(handlers.run_artifact_location), methods=["GET"]),
    ]

