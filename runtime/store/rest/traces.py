"""Traces over MLflow's REST API: the 3.0 traces/assessments/scorers endpoints and OTLP span upload.

TraceRestStoreMixin needs the host (RestStore) to provide ``creds.host`` and
``client`` (an HttpClient: ``call_json`` and ``request``). It talks to mlf's
server and to MLflow's alike: spans go to ``POST /v1/traces`` as a binary
OTLP request, and a trace whose spans a server cannot return from its store is
read from the traces.json in the trace's artifact location instead.
"""


from runtime.entities import PagedList
from runtime.errors import InvalidParameter, MlfError, NotFound
from runtime.store.contract.traces import (
    SEARCH_TRACES_DEFAULT_MAX_RESULTS,
    TRACE_SPANS_FILE,
    UNSET,
    AssessmentStore,
    ScorerStore,
    TraceStore,
    check_delete_args,
    check_link_args,
)
from runtime.validation import validate_assessment_id, validate_trace_id

OTLP_PATH = "/v1/traces"
SEARCH_PAGE_LIMIT = 500  # what MLflow's server accepts per traces/search request
BATCH_GET_LIMIT = 10  # traces per batchGet request, as MLflow's client sends them
EXPERIMENT_HEADER = "x-mlflow-experiment-id"


def _trace(trace_id):
    return {"trace_id": validate_trace_id(trace_id)}


def _assessment(trace_id, assessment_id):
    return {"trace_id": validate_trace_id(trace_id), "assessment_id": validate_assessment_id(assessment_id)}


def _location(experiment_id):
    return {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": str(experiment_id)}}


def _unsupported(exc):
    """True for the answers of a server that lacks an endpoint (or the store behind it does)."""
    return exc.error_code in ("ENDPOINT_NOT_FOUND", "NOT_IMPLEMENTED") or "not supported" in exc.message.lower()


class TraceRestStoreMixin(TraceStore, AssessmentStore, ScorerStore):
    """TraceStore, AssessmentStore and ScorerStore methods for the REST tracking store."""

    # ---------------------------------------------------------------- trace info
    def start_trace(self, trace_info):
        from runtime.tracing.entities import TraceInfo

        data = self._rpc("startTraceV3", {"trace": {"trace_info": trace_info.to_proto_json()}})
        return TraceInfo.from_dict(data["trace"]["trace_info"])

    def get_trace_info(self, trace_id):
        from runtime.tracing.entities import TraceInfo

        data = self._rpc("getTraceInfoV3", path=_trace(trace_id))
        return TraceInfo.from_dict(data["trace"]["trace_info"])

    def batch_get_trace_infos(self, trace_ids, experiment_ids=None):
        from runtime.tracing.entities import TraceInfo

        ids = [validate_trace_id(t) for t in trace_ids]
        try:
            body = {"trace_ids": ids}
            if experiment_ids:  # MLflow filters on an empty list too: send it only when there is one
                body["experiment_ids"] = [str(e) for e in experiment_ids]
            data = self._rpc("batchGetTraceInfos", body)
        except MlfError as exc:
            if not _unsupported(exc):
                raise
            return super().batch_get_trace_infos(ids, experiment_ids)
        found = {info.trace_id: info for info in map(TraceInfo.from_dict, data.get("trace_infos", []))}
        return [found[t] for t in dict.fromkeys(ids) if t in found]

    def search_traces(self, experiment_ids, filter_string=None, max_results=SEARCH_TRACES_DEFAULT_MAX_RESULTS,
                      order_by=None, page_token=None, model_id=None):
        from runtime.tracing.entities import TraceInfo

        if model_id:
            clause = f"metadata.`mlflow.modelId` = '{model_id}'"
            filter_string = f"{filter_string} AND {clause}" if filter_string else clause
        wanted = SEARCH_TRACES_DEFAULT_MAX_RESULTS if max_results is None else int(max_results)
        if wanted < 1:
            raise InvalidParameter(f"Invalid value {wanted} for parameter 'max_results' supplied: it must be "
                                   "at least 1")
        infos, token = [], page_token
        # The server takes at most 500 per request; page through it for larger asks.
        while True:
            body = {"locations": [_location(e) for e in experiment_ids], "filter": filter_string,
                    "max_results": min(SEARCH_PAGE_LIMIT, wanted - len(infos)), "order_by": list(order_by or []),
                    "page_token": token}
            data = self._rpc("searchTracesV3", {k: v for k, v in body.items() if v not in (None, [])})
            infos.extend(TraceInfo.from_dict(t) for t in data.get("traces", []))
            token = data.get("next_page_token") or None
            if token is None or len(infos) >= wanted:
                return PagedList(infos, token)

    def set_trace_tag(self, trace_id, key, value):
        self._rpc("setTraceTagV3", {"key": key, "value": value}, path=_trace(trace_id))

    def delete_trace_tag(self, trace_id, key):
        self._rpc("deleteTraceTagV3", {"key": key}, path=_trace(trace_id))

    def delete_traces(self, experiment_id, max_timestamp_millis=None, max_traces=None, trace_ids=None):
        check_delete_args(max_timestamp_millis, max_traces, trace_ids)
        body = {"experiment_id": str(experiment_id), "max_timestamp_millis": max_timestamp_millis,
                "max_traces": max_traces, "request_ids": list(trace_ids or [])}
        data = self._rpc("deleteTracesV3", {k: v for k, v in body.items() if v not in (None, [])})
        return int(data.get("traces_deleted", 0))

    def link_traces_to_run(self, trace_ids, run_id):
        trace_ids = check_link_args(trace_ids, run_id)
        self._rpc("linkTracesToRun", {"trace_ids": trace_ids, "run_id": run_id})

    # ---------------------------------------------------------------- spans
    def log_spans(self, experiment_id, spans):
        from runtime.tracing.otlp import export_request_bytes

        if not spans:
            return []
        body = export_request_bytes([s.to_proto_json() for s in spans])
        self.client.request("POST", f"{self.creds.host}{OTLP_PATH}", data=body,
                            headers={"Content-Type": "application/x-protobuf", EXPERIMENT_HEADER: str(experiment_id)})
        return list(spans)

    def get_trace(self, trace_id):
        from runtime.tracing.entities import Trace

        try:
            data = self._rpc("getTrace", {"trace_id": validate_trace_id(trace_id), "allow_partial": False})
        except MlfError as exc:
            if isinstance(exc, NotFound) or not _unsupported(exc):
                raise
            info = self.get_trace_info(trace_id)
            return Trace(info, self._artifact_spans(info) or [])
        trace = Trace.from_proto_json(data["trace"])
        if not trace.spans:
            trace.spans = self._artifact_spans(trace.info) or []
        return trace

    def get_spans(self, trace_id):
        spans = self.get_trace(trace_id).spans
        return spans or None

    def batch_get_traces(self, trace_ids, experiment_ids=None):
        """Whole traces, up to 10 per batchGet request (as MLflow's client asks); one by one if unsupported."""
        from runtime.tracing.entities import Trace

        ids = [validate_trace_id(t) for t in dict.fromkeys(trace_ids)]
        found = {}
        try:
            for start in range(0, len(ids), BATCH_GET_LIMIT):
                body = {"trace_ids": ids[start:start + BATCH_GET_LIMIT]}
                if experiment_ids:
                    body["experiment_ids"] = [str(e) for e in experiment_ids]
                for data in self._rpc("batchGetTraces", body).get("traces", []):
                    trace = Trace.from_proto_json(data)
                    found[trace.info.trace_id] = trace
        except MlfError as exc:
            if not _unsupported(exc):
                raise
            return [self.get_trace(info.trace_id) for info in self.batch_get_trace_infos(ids, experiment_ids)]
        for trace in found.values():
            if not trace.spans:
                trace.spans = self._artifact_spans(trace.info) or []
        return [found[t] for t in ids if t in found]

    def _artifact_spans(self, info):
        """Spans from the traces.json in the trace's artifact location (through the server's proxy)."""
        from runtime.artifacts.ops import repository_for_uri
        from runtime.tracing.entities import TagKey, spans_from_json

        location = info.tags.get(TagKey.ARTIFACT_LOCATION)
        if not location:
            return None
        try:
            repository = repository_for_uri(location, self.creds.host)
            with repository.open_artifact(TRACE_SPANS_FILE) as handle:
                return spans_from_json(handle.read().decode("utf-8"))
        except (NotFound, FileNotFoundError):
            return None

    # ---------------------------------------------------------------- assessments
    def create_assessment(self, assessment):
        from runtime.tracing.entities import Assessment

        validate_trace_id(assessment.trace_id)
        data = self._rpc("createAssessment", {"assessment": assessment.to_dict()}, path=_trace(assessment.trace_id))
        return Assessment.from_dict(data["assessment"])

    def get_assessment(self, trace_id, assessment_id):
        from runtime.tracing.entities import Assessment

        return Assessment.from_dict(self._rpc("GetAssessment", path=_assessment(trace_id, assessment_id))["assessment"])

    def update_assessment(self, trace_id, assessment_id, name=None, value=UNSET, rationale=None, metadata=None,
                          error=None):
        from runtime.tracing.entities import Assessment

        existing = self.get_assessment(trace_id, assessment_id)
        body = {"assessment_id": assessment_id, "trace_id": trace_id,
                "assessment_name": name if name is not None else existing.name}
        paths = []
        if name is not None:
            paths.append("assessment_name")
        if value is not UNSET or error is not None:
            update = Assessment(name=existing.name, kind=existing.kind,
                                value=existing.value if value is UNSET else value, error=error)
            body[existing.kind] = update.to_dict()[existing.kind]
            paths.append(existing.kind)
        if rationale is not None:
            body["rationale"] = rationale
            paths.append("rationale")
        if metadata:
            body["metadata"] = {str(k): str(v) for k, v in metadata.items()}
            paths.append("metadata")
        data = self._rpc("updateAssessment", {"assessment": body, "update_mask": ",".join(paths)},
                         path=_assessment(trace_id, assessment_id))
        return Assessment.from_dict(data["assessment"])

    def delete_assessment(self, trace_id, assessment_id):
        self._rpc("deleteAssessment", path=_assessment(trace_id, assessment_id))

    # ---------------------------------------------------------------- scorers
    def register_scorer(self, experiment_id, name, serialized_scorer):
        from runtime.tracing.entities import ScorerVersion

        data = self._rpc("registerScorer", {"experiment_id": str(experiment_id), "name": name,
                                                      "serialized_scorer": serialized_scorer})
        return ScorerVersion(str(data.get("experiment_id", experiment_id)), data.get("name", name),
                             int(data["version"]), data.get("serialized_scorer", serialized_scorer),
                             int(data.get("creation_time") or 0), data.get("scorer_id", ""))

    def list_scorer_versions(self, experiment_id, name=None):
        from runtime.tracing.entities import ScorerVersion

        if name is None:
            names = [s.name for s in self._scorer_list(experiment_id)]
        else:
            names = [name]
        versions = []
        for scorer in names:
            data = self._rpc("listScorerVersions", {"experiment_id": str(experiment_id), "name": scorer})
            versions.extend(ScorerVersion.from_proto_json({**s, "experiment_id": str(experiment_id)})
                            for s in data.get("scorers", []))
        return sorted(versions, key=lambda v: (v.name, v.version))

    def _scorer_list(self, experiment_id):
        from runtime.tracing.entities import ScorerVersion

        data = self._rpc("listScorers", {"experiment_id": str(experiment_id)})
        return [ScorerVersion.from_proto_json({**s, "experiment_id": str(experiment_id)})
                for s in data.get("scorers", [])]

    def list_scorers(self, experiment_id):
        return sorted(self._scorer_list(experiment_id), key=lambda v: v.name)

    def get_scorer(self, experiment_id, name, version=None):
        from runtime.tracing.entities import ScorerVersion

        body = {"experiment_id": str(experiment_id), "name": name, "version": version}
        data = self._rpc("getScorer", {k: v for k, v in body.items() if v is not None})
        return ScorerVersion.from_proto_json({**data["scorer"], "experiment_id": str(experiment_id)})

    def delete_scorer(self, experiment_id, name, version=None):
        body = {"experiment_id": str(experiment_id), "name": name, "version": version}
        self._rpc("deleteScorer", {k: v for k, v in body.items() if v is not None})
