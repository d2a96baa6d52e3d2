"""Trace REST routes: traces v3 (and the 2.0 paths clients still use), assessments, scorers and OTLP.

MLflow 3's client logs a trace in two calls: its spans go to ``POST /v1/traces``
as a binary OTLP request (header ``x-mlflow-experiment-id``), and its info to
``POST /api/3.0/mlflow/traces``. Spans the store holds are served by
``GET /api/3.0/mlflow/traces/get``; for a trace whose spans a client uploaded
as traces.json through the artifact proxy instead, that file is read from the
trace's artifact location.

Handlers take the request as a dict (schema-parsed for simple messages, raw
JSON where the body carries traces or assessments, which our entities parse)
and return the response message as a dict.
"""

import json

from runtime.errors import InvalidParameter, MlfError, NotFound
from runtime.server.routing import endpoint, error_response, internal_error_response, require
from runtime.server.routes_tracking import paged
from runtime.store.contract.traces import TRACE_SPANS_FILE, UNSET
from runtime.validation import validate_experiment_id, validate_trace_id
from runtime.wire.protocol import missing_parameter, rpc_info

SERVICE = "mlflow.MlflowService."
SEARCH_TRACES_MAX_RESULTS = 500  # MLflow's server refuses more per request
OTLP_PATH = "/v1/traces"
EXPERIMENT_HEADER = "x-mlflow-experiment-id"
RUN_HEADER = "x-mlflow-run-id"


def _experiment_ids_of(locations):
    ids = []
    for location in locations or ():
        experiment = (location or {}).get("mlflow_experiment") or {}
        if experiment.get("experiment_id") in (None, ""):
            raise InvalidParameter("Only MLFLOW_EXPERIMENT trace locations are supported: give mlflow_experiment."
                                   "experiment_id in each location")
        ids.append(validate_experiment_id(experiment["experiment_id"]))
    if not ids:
        missing_parameter("locations")
    return ids


def _mask_paths(mask):
    """A FieldMask as JSON: 'a,b' (proto JSON) or {"paths": [...]}; camelCase paths accepted."""
    if not mask:
        return []
    paths = mask.get("paths", []) if isinstance(mask, dict) else str(mask).split(",")
    out = []
    for path in paths:
        path = path.strip()
        snake = "".join("_" + c.lower() if c.isupper() else c for c in path)
        if path:
            out.append(snake)
    return out


class TraceHandlers:
    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def store(self):
        return self.ctx.tracking_store

    # ---- trace info ------------------------------------------------------
    def start_trace_v3(self, body, request):
        from runtime.tracing.entities import Span, TraceInfo

        trace = body.get("trace")
        if not isinstance(trace, dict) or not isinstance(trace.get("trace_info"), dict):
            missing_parameter("trace")
        info = TraceInfo.from_dict(trace["trace_info"])
        spans = [Span.from_proto_json(s) for s in trace.get("spans") or []]
        if spans:
            self.store.log_spans(info.experiment_id, spans)
        stored = self.store.start_trace(info)
        return {"trace": {"trace_info": stored.to_proto_json()}}

    # ---- the deprecated v2 pair: start (IN_PROGRESS), then end with a status -----------------
    def start_trace_v2(self, body, request):
        import uuid

        from runtime.store.contract.traces import now_ms
        from runtime.tracing.entities import TraceInfo, TraceState, _string_map

        info = TraceInfo(
            trace_id=uuid.uuid4().hex,
            experiment_id=validate_experiment_id(require(body, "experiment_id")),
            request_time=body.get("timestamp_ms") or now_ms(),
            state=TraceState.IN_PROGRESS,
            trace_metadata=_string_map(body.get("request_metadata"), "request_metadata"),
            tags=_string_map(body.get("tags"), "tags"),
        )
        return {"trace_info": self.store.start_trace(info).to_v2_dict()}

    def end_trace_v2(self, body, request):
        import dataclasses

        from runtime.store.contract.traces import now_ms
        from runtime.tracing.entities import TraceState, _string_map

        existing = self.store.get_trace_info(validate_trace_id(require(body, "request_id")))
        end_ms = body.get("timestamp_ms") or now_ms()
        ended = dataclasses.replace(
            existing,
            state=TraceState.validate(body.get("status")),
            execution_duration=max(0, end_ms - existing.request_time),
            trace_metadata={**existing.trace_metadata, **_string_map(body.get("request_metadata"), "request_metadata")},
            tags={**existing.tags, **_string_map(body.get("tags"), "tags")},
            assessments=[],
        )
        return {"trace_info": self.store.start_trace(ended).to_v2_dict()}

    def get_trace_info_v3(self, body, request):
        info = self.store.get_trace_info(require(body, "trace_id"))
        return {"trace": {"trace_info": info.to_proto_json()}}

    def get_trace_info_v2(self, body, request):
        return {"trace_info": self.store.get_trace_info(require(body, "request_id")).to_v2_dict()}

    def _with_artifact_spans(self, trace):
        """Spans from the trace's traces.json when the store holds none (clients that uploaded them)."""
        if trace.spans:
            return trace
        from runtime.server.artifact_access import ArtifactAccess
        from runtime.tracing.entities import TagKey, spans_from_json

        location = trace.info.tags.get(TagKey.ARTIFACT_LOCATION)
        if not location:
            return trace
        try:
            with ArtifactAccess(self.ctx.config).repository_for(location).open_artifact(TRACE_SPANS_FILE) as handle:
                trace.spans = spans_from_json(handle.read().decode("utf-8"))
        except (NotFound, FileNotFoundError, InvalidParameter):
            pass
        return trace

    def get_trace(self, body, request):
        trace = self._with_artifact_spans(self.store.get_trace(require(body, "trace_id")))
        return {"trace": trace.to_proto_json()}

    def batch_get_traces(self, body, request):
        ids = body.get("trace_ids") or missing_parameter("trace_ids")
        traces = self.store.batch_get_traces(ids, body.get("experiment_ids") or None)
        return paged("traces", [self._with_artifact_spans(t).to_proto_json() for t in traces], None)

    def batch_get_trace_infos(self, body, request):
        ids = body.get("trace_ids") or missing_parameter("trace_ids")
        infos = self.store.batch_get_trace_infos(ids, body.get("experiment_ids") or None)
        return paged("trace_infos", [i.to_proto_json() for i in infos], None)

    def _search(self, experiment_ids, body):
        max_results = body.get("max_results")
        if max_results is not None and int(max_results) > SEARCH_TRACES_MAX_RESULTS:
            raise InvalidParameter(f"Invalid value {max_results} for parameter 'max_results' supplied: it must be "
                                   f"at most {SEARCH_TRACES_MAX_RESULTS}")
        return self.store.search_traces(experiment_ids, filter_string=body.get("filter") or None,
                                        max_results=max_results, order_by=body.get("order_by") or None,
                                        page_token=body.get("page_token") or None)

    def search_traces_v3(self, body, request):
        found = self._search(_experiment_ids_of(body.get("locations")), body)
        return paged("traces", [i.to_proto_json() for i in found], found.token)

    def search_traces_v2(self, body, request):
        ids = [validate_experiment_id(e) for e in body.get("experiment_ids") or missing_parameter("experiment_ids")]
        found = self._search(ids, body)
        return paged("traces", [i.to_v2_dict() for i in found], found.token)

    # ---- tags, deletion, run links --------------------------------------
    @staticmethod
    def _trace_id(body):
        return body.get("trace_id") or body.get("request_id") or missing_parameter("trace_id")

    def set_trace_tag(self, body, request):
        self.store.set_trace_tag(self._trace_id(body), require(body, "key"), body.get("value") or "")
        return {}

    def delete_trace_tag(self, body, request):
        key = body.get("key") or request.query_params.get("key")
        if not key:
            missing_parameter("key")
        self.store.delete_trace_tag(self._trace_id(body), key)
        return {}

    def delete_traces(self, body, request):
        deleted = self.store.delete_traces(
            validate_experiment_id(require(body, "experiment_id")),
            max_timestamp_millis=body.get("max_timestamp_millis"), max_traces=body.get("max_traces"),
            trace_ids=body.get("request_ids") or None)
        return {"traces_deleted": deleted}

    def link_traces_to_run(self, body, request):
        self.store.link_traces_to_run(body.get("trace_ids") or missing_parameter("trace_ids"), require(body, "run_id"))
        return {}

    # ---- assessments -----------------------------------------------------
    def create_assessment(self, body, request):
        from runtime.tracing.entities import Assessment

        data = body.get("assessment")
        if not isinstance(data, dict):
            missing_parameter("assessment")
        trace_id = validate_trace_id(body.get("trace_id") or data.get("trace_id") or missing_parameter("trace_id"))
        if data.get("trace_id") and data["trace_id"] != trace_id:
            raise InvalidParameter(f"The assessment names trace {data['trace_id']!r} but the path names {trace_id!r}")
        assessment = Assessment.from_dict({**data, "trace_id": trace_id})
        return {"assessment": self.store.create_assessment(assessment).to_dict()}

    def get_assessment(self, body, request):
        found = self.store.get_assessment(require(body, "trace_id"), require(body, "assessment_id"))
        return {"assessment": found.to_dict()}

    def update_assessment(self, body, request):
        from runtime.tracing.entities import Assessment

        trace_id, assessment_id = require(body, "trace_id"), require(body, "assessment_id")
        data = body.get("assessment")
        if not isinstance(data, dict):
            missing_parameter("assessment")
        paths = _mask_paths(body.get("update_mask")) or [k for k in data if k not in ("assessment_id", "trace_id")]
        existing = self.store.get_assessment(trace_id, assessment_id)
        changes = {}
        for path in paths:
            if path == "assessment_name":
                changes["name"] = data.get("assessment_name")
            elif path in ("feedback", "expectation"):
                if path != existing.kind:
                    raise InvalidParameter(f"Cannot update the {path} value of a {existing.kind} assessment.")
                parsed = Assessment.from_dict({"assessment_name": existing.name, path: data.get(path) or {}})
                changes["value"] = parsed.value
                if parsed.error:
                    changes["error"] = parsed.error
            elif path == "rationale":
                changes["rationale"] = data.get("rationale")
            elif path == "metadata":
                changes["metadata"] = data.get("metadata") or {}
            elif path in ("source", "span_id", "create_time", "last_update_time", "valid", "overrides"):
                raise InvalidParameter(f"The assessment field '{path}' cannot be updated.")
        updated = self.store.update_assessment(trace_id, assessment_id, name=changes.get("name"),
                                               value=changes.get("value", UNSET), rationale=changes.get("rationale"),
                                               metadata=changes.get("metadata"), error=changes.get("error"))
        return {"assessment": updated.to_dict()}

    def delete_assessment(self, body, request):
        self.store.delete_assessment(require(body, "trace_id"), require(body, "assessment_id"))
        return {}

    # ---- scorers -----------------------------------------------------------
    def register_scorer(self, body, request):
        version = self.store.register_scorer(validate_experiment_id(require(body, "experiment_id")),
                                             require(body, "name"), require(body, "serialized_scorer"))
        return {"version": version.version, "scorer_id": version.scorer_id, "experiment_id": version.experiment_id,
                "name": version.name, "serialized_scorer": version.serialized_scorer,
                "creation_time": version.creation_time}

    def list_scorers(self, body, request):
        ids = body.get("experiment_ids") or [require(body, "experiment_id")]
        scorers = [s for e in ids for s in self.store.list_scorers(validate_experiment_id(e))]
        return paged("scorers", [s.to_proto_json() for s in scorers], None)

    def list_scorer_versions(self, body, request):
        versions = self.store.list_scorer_versions(validate_experiment_id(require(body, "experiment_id")),
                                                   require(body, "name"))
        return paged("scorers", [v.to_proto_json() for v in versions], None)

    def get_scorer(self, body, request):
        scorer = self.store.get_scorer(validate_experiment_id(require(body, "experiment_id")), require(body, "name"),
                                       body.get("version"))
        return {"scorer": scorer.to_proto_json()}

    def delete_scorer(self, body, request):
        self.store.delete_scorer(validate_experiment_id(require(body, "experiment_id")), require(body, "name"),
                                 body.get("version"))
        return {}

    # ---- UI helper -----------------------------------------------------------
    def get_trace_artifact(self, body, request):
        """The trace's spans as the attachment traces.json (sent as text/plain, as MLflow does)."""
        from runtime.server.artifact_files import attachment_response

        trace = self._with_artifact_spans(self.store.get_trace(self._trace_id(body)))
        payload = json.dumps({"spans": [s.to_dict() for s in trace.spans]}, ensure_ascii=False)
        return attachment_response(payload.encode("utf-8"), TRACE_SPANS_FILE)


class Unprocessable(InvalidParameter):
    """A request MLflow's OTLP endpoint (FastAPI) answers with 422."""

    http_status = 422


def mlflow_spans(payload, content_type):
    """The spans of an OTLP export request as MLflow stores them: other conventions' attributes translated
    (runtime.tracing.otel_translate), a known agent's service.name copied onto each root span; a span that
    cannot be read is a 422, as in MLflow."""
    import json as json_module

    from runtime.tracing.entities import Span
    from runtime.tracing.otel_translate import SERVICE_NAME, known_service_name, translate
    from runtime.tracing.otlp import resource_spans_of

    spans = []
    for resource, otel_span in resource_spans_of(payload, content_type):
        try:
            span = Span.from_proto_json(otel_span)
        except Exception:  # noqa: BLE001 - any unreadable span refuses the batch
            raise Unprocessable("Cannot convert OpenTelemetry span to MLflow span") from None
        span.attributes = translate(span.attributes, span.events)
        service = known_service_name(resource)
        if service and span.is_root:
            span.attributes[SERVICE_NAME] = json_module.dumps(service)
        spans.append(span)
    return spans


def _otlp_endpoint(ctx):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    from runtime.tracing.otlp import decompress

    def ingest(body, headers):
        experiment_id = headers.get(EXPERIMENT_HEADER)
        if not experiment_id:
            # FastAPI's answer for a missing required header, as MLflow's server gives it.
            raise Unprocessable(f"Missing required header {EXPERIMENT_HEADER}")
        payload = decompress(body, headers.get("content-encoding"))
        spans = mlflow_spans(payload, headers.get("content-type"))
        store = ctx.tracking_store
        store.log_spans(validate_experiment_id(experiment_id), spans)
        run_id = headers.get(RUN_HEADER)
        if run_id:
            from runtime.tracing.build import mlflow_trace_id

            finished = sorted({mlflow_trace_id(s) for s in spans if s.is_root})
            if finished:
                store.link_traces_to_run(finished, run_id)

    async def export_traces(request):
        try:
            body = await request.body()
            await run_in_threadpool(ingest, body, request.headers)
        except MlfError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - answer in MLflow's error format
            return internal_error_response(exc)
        # An empty ExportTraceServiceResponse: full success.
        return Response(b"", media_type="application/x-protobuf")

    return export_traces


# (rpc, handler method, parse against the schema?) — static paths before {trace_id} paths.
RPC_HANDLERS = [
    ("searchTracesV3", "search_traces_v3", True),
    ("searchTraces", "search_traces_v2", True),
    ("batchGetTraces", "batch_get_traces", True),
    ("batchGetTraceInfos", "batch_get_trace_infos", True),
    ("getTrace", "get_trace", True),
    ("deleteTracesV3", "delete_traces", True),
    ("deleteTraces", "delete_traces", True),
    ("linkTracesToRun", "link_traces_to_run", True),
    ("registerScorer", "register_scorer", True),
    ("listScorers", "list_scorers", True),
    ("listScorerVersions", "list_scorer_versions", True),
    ("getScorer", "get_scorer", True),
    ("deleteScorer", "delete_scorer", True),
    ("startTraceV3", "start_trace_v3", False),
    ("startTrace", "start_trace_v2", True),
    ("endTrace", "end_trace_v2", True),
    ("createAssessment", "create_assessment", False),
    ("updateAssessment", "update_assessment", False),
    ("GetAssessment", "get_assessment", True),
    ("deleteAssessment", "delete_assessment", True),
    ("setTraceTagV3", "set_trace_tag", True),
    ("setTraceTag", "set_trace_tag", True),
    ("deleteTraceTagV3", "delete_trace_tag", True),
    ("deleteTraceTag", "delete_trace_tag", True),
    ("getTraceInfo", "get_trace_info_v2", True),
    ("getTraceInfoV3", "get_trace_info_v3", True),
]


def routes(ctx):
    from starlette.routing import Route

    handlers = TraceHandlers(ctx)
    out = [Route(OTLP_PATH, _otlp_endpoint(ctx), methods=["POST"])]
    for rpc, method, parsed in RPC_HANDLERS:
        info = rpc_info(SERVICE + rpc)
        serve = endpoint(getattr(handlers, method), info["request"] if parsed else None)
        out.extend(Route(path, serve, methods=[verb], name=f"{rpc}:{verb}:{path}") for verb, path in info["endpoints"])
    artifact = endpoint(handlers.get_trace_artifact, rpc_info(SERVICE + "getTraceInfo")["request"])
    out.extend(Route(f"/ajax-api/{v}/mlflow/get-trace-artifact", artifact, methods=["GET"]) for v in ("2.0", "3.0"))
    return out

