"""The MLflow 3 trace model: trace info, spans, assessments.

Every entity has two JSON spellings, both MLflow's:

* ``to_dict`` / ``from_dict``: what ``Trace.to_dict()`` prints and what the
  file store keeps (``trace_info.yaml``, ``assessments/<id>.yaml``,
  ``artifacts/traces.json``). Span attributes are JSON-encoded strings there.
* ``to_proto_json`` / ``from_proto_json``: the v3 REST messages
  (``mlflow.TraceInfoV3``, ``mlflow.Trace``, OpenTelemetry ``Span`` with
  typed ``AnyValue`` attributes and base64 ids).

Times are integer milliseconds internally (nanoseconds for spans).
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from typing import Optional

from runtime.errors import InvalidParameter
from runtime.tracing.timefmt import duration_to_ms, ms_to_duration, ms_to_timestamp, timestamp_to_ms

TRACE_ID_PREFIX = "tr-"
ASSESSMENT_ID_PREFIX = "a-"
PREVIEW_MAX_LENGTH = 1000  # MLflow truncates request/response previews to this outside Databricks
TRACE_SCHEMA_VERSION = "3"


class TraceState:
    OK = "OK"
    ERROR = "ERROR"
    IN_PROGRESS = "IN_PROGRESS"
    UNSPECIFIED = "STATE_UNSPECIFIED"
    ALL = (OK, ERROR, IN_PROGRESS, UNSPECIFIED)

    @classmethod
    def validate(cls, value):
        text = str(value or cls.UNSPECIFIED).upper()
        if text == "TRACE_STATUS_UNSPECIFIED":
            text = cls.UNSPECIFIED
        if text not in cls.ALL:
            raise InvalidParameter(f"Invalid trace state {value!r}: expected one of {', '.join(cls.ALL)}")
        return text


class MetadataKey:
    """trace_metadata keys MLflow's client and server agree on."""

    INPUTS = "mlflow.traceInputs"
    OUTPUTS = "mlflow.traceOutputs"
    SOURCE_RUN = "mlflow.sourceRun"
    MODEL_ID = "mlflow.modelId"
    TOKEN_USAGE = "mlflow.trace.tokenUsage"
    SIZE_STATS = "mlflow.trace.sizeStats"
    SCHEMA_VERSION = "mlflow.trace_schema.version"
    TRACE_USER = "mlflow.trace.user"
    TRACE_SESSION = "mlflow.trace.session"
    USER = "mlflow.user"
    SOURCE_NAME = "mlflow.source.name"
    SOURCE_TYPE = "mlflow.source.type"


class TagKey:
    TRACE_NAME = "mlflow.traceName"
    SPANS_LOCATION = "mlflow.trace.spansLocation"
    ARTIFACT_LOCATION = "mlflow.artifactLocation"


class SpansLocation:
    TRACKING_STORE = "TRACKING_STORE"
    ARTIFACT_REPO = "ARTIFACT_REPO"


class SpanAttribute:
    REQUEST_ID = "mlflow.traceRequestId"
    INPUTS = "mlflow.spanInputs"
    OUTPUTS = "mlflow.spanOutputs"
    SPAN_TYPE = "mlflow.spanType"
    FUNCTION_NAME = "mlflow.spanFunctionName"
    CHAT_USAGE = "mlflow.chat.tokenUsage"
    EXPERIMENT_ID = "mlflow.experimentId"


class SpanType:
    """The span types MLflow's UI knows (any string is accepted)."""

    ALL = ("LLM", "CHAT_MODEL", "RETRIEVER", "TOOL", "AGENT", "CHAIN", "EMBEDDING", "PARSER", "RERANKER",
           "MEMORY", "UNKNOWN")


class StatusCode:
    UNSET = "STATUS_CODE_UNSET"
    OK = "STATUS_CODE_OK"
    ERROR = "STATUS_CODE_ERROR"
    BY_NUMBER = {0: UNSET, 1: OK, 2: ERROR}
    # MLflow's own short spellings, seen in older traces.json files.
    ALIASES = {"UNSET": UNSET, "OK": OK, "ERROR": ERROR}

    @classmethod
    def normalize(cls, value):
        if value is None or value == "":
            return cls.UNSET
        if isinstance(value, int):
            return cls.BY_NUMBER.get(value, cls.UNSET)
        text = str(value).upper()
        return cls.ALIASES.get(text, text)


class SourceType:
    HUMAN = "HUMAN"
    LLM_JUDGE = "LLM_JUDGE"
    CODE = "CODE"
    ALL = (HUMAN, LLM_JUDGE, CODE)

    @classmethod
    def validate(cls, value):
        text = str(value).upper()
        if text == "AI_JUDGE":  # MLflow's legacy name
            text = cls.LLM_JUDGE
        if text not in cls.ALL:
            raise InvalidParameter(f"Invalid assessment source type {value!r}: expected one of {', '.join(cls.ALL)}")
        return text


def new_trace_id():
    return TRACE_ID_PREFIX + uuid.uuid4().hex


def new_assessment_id():
    return ASSESSMENT_ID_PREFIX + uuid.uuid4().hex


def trace_id_from_otel(otel_trace_id_b64):
    """MLflow's trace id for an OpenTelemetry trace id given as base64 bytes."""
    return TRACE_ID_PREFIX + b64_to_bytes(otel_trace_id_b64).hex()


def otel_trace_id_from_trace_id(trace_id):
    """The base64 OpenTelemetry trace id behind an MLflow 'tr-<hex>' id."""
    hex_part = trace_id[len(TRACE_ID_PREFIX):] if trace_id.startswith(TRACE_ID_PREFIX) else trace_id
    try:
        return bytes_to_b64(bytes.fromhex(hex_part))
    except ValueError:
        raise InvalidParameter(f"Trace id {trace_id!r} does not carry an OpenTelemetry trace id") from None


def bytes_to_b64(raw):
    return base64.b64encode(raw).decode("ascii")


def b64_to_bytes(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidParameter(f"Invalid base64 id {text!r}") from None


def _drop_none(mapping):
    return {key: value for key, value in mapping.items() if value is not None}


def truncate_preview(text, limit=PREVIEW_MAX_LENGTH):
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------- assessments
@dataclass
class AssessmentSource:
    source_type: str = SourceType.CODE
    source_id: str = "default"

    def to_dict(self):
        return {"source_type": self.source_type, "source_id": self.source_id}

    @classmethod
    def from_dict(cls, data):
        data = data or {}
        return cls(SourceType.validate(data.get("source_type") or SourceType.CODE), data.get("source_id") or "default")


FEEDBACK = "feedback"
EXPECTATION = "expectation"
_JSON_FORMAT = "JSON_FORMAT"


def _is_plain_value(value):
    return value is None or isinstance(value, (str, bool, int, float))


@dataclass
class Assessment:
    """A Feedback (a judgement) or an Expectation (a ground-truth label) on a trace or span."""

    name: str
    kind: str  # FEEDBACK | EXPECTATION
    value: object = None
    trace_id: Optional[str] = None
    source: AssessmentSource = field(default_factory=AssessmentSource)
    rationale: Optional[str] = None
    metadata: Optional[dict] = None
    span_id: Optional[str] = None
    error: Optional[dict] = None  # {"error_code", "error_message", "stack_trace"}
    create_time_ms: Optional[int] = None
    last_update_time_ms: Optional[int] = None
    assessment_id: Optional[str] = None
    valid: Optional[bool] = True
    overrides: Optional[str] = None

    def _value_message(self):
        if self.kind == FEEDBACK:
            body = {}
            if self.value is not None or self.error is None:
                body["value"] = self.value
            if self.error:
                body["error"] = dict(self.error)
            return body
        if _is_plain_value(self.value):
            return {"value": self.value}
        # Structured expectations travel as JSON text (MLflow's SerializedValue).
        return {"serialized_value": {"serialization_format": _JSON_FORMAT, "value": json.dumps(self.value)}}

    def to_dict(self):
        """The proto JSON form (used in files, REST and CLI output alike)."""
        out = {"assessment_id": self.assessment_id, "assessment_name": self.name, "trace_id": self.trace_id,
               "span_id": self.span_id, "source": self.source.to_dict()}
        if self.create_time_ms is not None:
            out["create_time"] = ms_to_timestamp(self.create_time_ms)
        if self.last_update_time_ms is not None:
            out["last_update_time"] = ms_to_timestamp(self.last_update_time_ms)
        out[self.kind] = self._value_message()
        out["rationale"] = self.rationale
        out["metadata"] = dict(self.metadata) if self.metadata else None
        out["overrides"] = self.overrides
        out["valid"] = self.valid
        return _drop_none(out)

    to_proto_json = to_dict

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise InvalidParameter("An assessment must be a JSON object")
        if data.get("expectation") is not None:
            kind, body = EXPECTATION, data["expectation"] or {}
        elif data.get("feedback") is not None:
            kind, body = FEEDBACK, data["feedback"] or {}
        else:
            raise InvalidParameter(
                f"Assessment {data.get('assessment_name')!r} has neither a feedback nor an expectation value"
            )
        value = body.get("value")
        serialized = body.get("serialized_value")
        if serialized:
            text = serialized.get("value")
            try:
                value = json.loads(text) if text is not None else None
            except ValueError:
                raise InvalidParameter(f"Invalid serialized expectation value {text!r}") from None
        metadata = data.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidParameter("Assessment metadata must be a JSON object")
        name = data.get("assessment_name") or data.get("name")
        if not name:
            raise InvalidParameter("Missing value for assessment_name")
        return cls(
            name=name,
            kind=kind,
            value=value,
            trace_id=data.get("trace_id"),
            source=AssessmentSource.from_dict(data.get("source")),
            rationale=data.get("rationale"),
            metadata={str(k): "" if v is None else str(v) for k, v in metadata.items()} if metadata else None,
            span_id=data.get("span_id") or None,
            error=body.get("error") or data.get("error") or None,
            create_time_ms=timestamp_to_ms(data.get("create_time")),
            last_update_time_ms=timestamp_to_ms(data.get("last_update_time")),
            assessment_id=data.get("assessment_id") or None,
            valid=data.get("valid", True),
            overrides=data.get("overrides") or None,
        )

    from_proto_json = from_dict


# ---------------------------------------------------------------- trace info
@dataclass
class TraceInfo:
    trace_id: str
    experiment_id: str
    request_time: int  # ms since the epoch
    state: str = TraceState.OK
    execution_duration: Optional[int] = None  # ms
    request_preview: Optional[str] = None
    response_preview: Optional[str] = None
    client_request_id: Optional[str] = None
    trace_metadata: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    assessments: list = field(default_factory=list)

    # MLflow's v2 names, kept for the search grammar and callers used to them.
    @property
    def timestamp_ms(self):
        return self.request_time

    @property
    def execution_time_ms(self):
        return self.execution_duration

    @property
    def status(self):
        return self.state

    @property
    def end_time_ms(self):
        if self.execution_duration is None:
            return None
        return self.request_time + self.execution_duration

    @property
    def name(self):
        return self.tags.get(TagKey.TRACE_NAME)

    @property
    def token_usage(self):
        text = self.trace_metadata.get(MetadataKey.TOKEN_USAGE)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def _location(self):
        return {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": str(self.experiment_id)}}

    def _common(self):
        out = {"trace_id": self.trace_id, "client_request_id": self.client_request_id,
               "trace_location": self._location(), "request_time": ms_to_timestamp(self.request_time)}
        return out

    def to_dict(self):
        """Trace.to_dict()['info']: proto JSON, but the duration as integer execution_duration_ms."""
        out = self._common()
        if self.state != TraceState.UNSPECIFIED:
            out["state"] = self.state
        out["trace_metadata"] = dict(self.trace_metadata) or None
        out["assessments"] = [a.to_dict() for a in self.assessments] or None
        out["tags"] = dict(self.tags) or None
        out["request_preview"] = self.request_preview
        out["response_preview"] = self.response_preview
        out["execution_duration_ms"] = self.execution_duration
        return _drop_none(out)

    def to_proto_json(self):
        """mlflow.TraceInfoV3 as the REST API sends it."""
        out = self._common()
        if self.execution_duration is not None:
            out["execution_duration"] = ms_to_duration(self.execution_duration)
        if self.state != TraceState.UNSPECIFIED:
            out["state"] = self.state
        out["trace_metadata"] = dict(self.trace_metadata) or None
        out["assessments"] = [a.to_dict() for a in self.assessments] or None
        out["tags"] = dict(self.tags) or None
        out["request_preview"] = self.request_preview
        out["response_preview"] = self.response_preview
        return _drop_none(out)

    def to_v2_dict(self):
        """mlflow.TraceInfo (v2) for the deprecated 2.0 endpoints."""
        return _drop_none({
            "request_id": self.trace_id,
            "experiment_id": str(self.experiment_id),
            "timestamp_ms": self.request_time,
            "execution_time_ms": self.execution_duration,
            "status": self.state if self.state != TraceState.UNSPECIFIED else "TRACE_STATUS_UNSPECIFIED",
            "request_metadata": [{"key": k, "value": v} for k, v in self.trace_metadata.items()] or None,
            "tags": [{"key": k, "value": v} for k, v in self.tags.items()] or None,
        })

    @classmethod
    def from_dict(cls, data):
        """Read any of MLflow's spellings: to_dict, TraceInfoV3 proto JSON or v2 TraceInfo."""
        if not isinstance(data, dict):
            raise InvalidParameter("Trace info must be a JSON object")
        if "request_id" in data and "trace_id" not in data:
            return cls._from_v2(data)
        trace_id = data.get("trace_id")
        if not trace_id:
            raise InvalidParameter("Missing value for trace_id")
        location = data.get("trace_location") or {}
        experiment_id = (location.get("mlflow_experiment") or {}).get("experiment_id") or data.get("experiment_id")
        if experiment_id in (None, ""):
            raise InvalidParameter(f"Trace {trace_id} has no MLflow experiment location")
        if "execution_duration_ms" in data:
            duration = duration_to_ms(data.get("execution_duration_ms"))
        else:
            duration = duration_to_ms(data.get("execution_duration"))
        return cls(
            trace_id=trace_id,
            experiment_id=str(experiment_id),
            request_time=timestamp_to_ms(data.get("request_time")) or 0,
            state=TraceState.validate(data.get("state")),
            execution_duration=duration,
            request_preview=data.get("request_preview"),
            response_preview=data.get("response_preview"),
            client_request_id=data.get("client_request_id") or None,
            trace_metadata=_string_map(data.get("trace_metadata"), "trace_metadata"),
            tags=_string_map(data.get("tags"), "tags"),
            assessments=[Assessment.from_dict(a) for a in data.get("assessments") or []],
        )

    from_proto_json = from_dict

    @classmethod
    def _from_v2(cls, data):
        return cls(
            trace_id=data["request_id"],
            experiment_id=str(data.get("experiment_id", "")),
            request_time=int(data.get("timestamp_ms") or 0),
            state=TraceState.validate(data.get("status")),
            execution_duration=None if data.get("execution_time_ms") is None else int(data["execution_time_ms"]),
            trace_metadata=_string_map(data.get("request_metadata"), "request_metadata"),
            tags=_string_map(data.get("tags"), "tags"),
        )


def _string_map(value, what):
    """A {key: str} map from a dict or from MLflow's [{key, value}] list."""
    if value is None:
        return {}
    if isinstance(value, list):
        value = {item.get("key"): item.get("value") for item in value if isinstance(item, dict)}
    if not isinstance(value, dict):
        raise InvalidParameter(f"Invalid {what}: expected a JSON object")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


# ---------------------------------------------------------------- spans
def _encode_attribute(value):
    return json.dumps(value, ensure_ascii=False, default=str)


def _decode_attribute(text):
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass
class Span:
    """One span in MLflow's traces.json form: base64 ids, JSON-encoded attribute values."""

    trace_id: str  # base64 OpenTelemetry trace id
    span_id: str  # base64 OpenTelemetry span id
    name: str
    start_time_unix_nano: int
    end_time_unix_nano: Optional[int] = None
    parent_span_id: Optional[str] = None
    status_code: str = StatusCode.UNSET
    status_message: str = ""
    attributes: dict = field(default_factory=dict)  # key -> JSON text
    events: list = field(default_factory=list)  # [{"name", "time_unix_nano", "attributes": {key: value}}]
    links: list = field(default_factory=list)
    trace_state: str = ""
    kind: Optional[str] = None

    # -- convenience views
    def attribute(self, key, default=None):
        if key not in self.attributes:
            return default
        return _decode_attribute(self.attributes[key])

    def set_attribute(self, key, value):
        self.attributes[key] = _encode_attribute(value)

    @property
    def span_type(self):
        return self.attribute(SpanAttribute.SPAN_TYPE)

    @property
    def inputs(self):
        return self.attribute(SpanAttribute.INPUTS)

    @property
    def outputs(self):
        return self.attribute(SpanAttribute.OUTPUTS)

    @property
    def request_id(self):
        return self.attribute(SpanAttribute.REQUEST_ID)

    @property
    def is_root(self):
        return not self.parent_span_id

    # -- MLflow dict form
    def to_dict(self):
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id or None,
            "name": self.name,
            "start_time_unix_nano": self.start_time_unix_nano,
            "end_time_unix_nano": self.end_time_unix_nano,
            "events": [dict(event) for event in self.events],
            "status": {"code": self.status_code, "message": self.status_message or ""},
            "attributes": dict(self.attributes),
            "links": list(self.links),
        }

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise InvalidParameter("A span must be a JSON object")
        status = data.get("status") or {}
        if isinstance(status, str):  # very old traces.json: "status": "OK"
            status = {"code": status}
        attributes = data.get("attributes") or {}
        if isinstance(attributes, list):  # OTLP KeyValue list slipped in: reuse the proto reader
            return cls.from_proto_json(data)
        for required in ("span_id", "name"):
            if data.get(required) in (None, ""):
                raise InvalidParameter(f"Span is missing {required}")
        return cls(
            trace_id=data.get("trace_id") or "",
            span_id=data["span_id"],
            name=data["name"],
            start_time_unix_nano=int(data.get("start_time_unix_nano") or 0),
            end_time_unix_nano=None if data.get("end_time_unix_nano") is None else int(data["end_time_unix_nano"]),
            parent_span_id=data.get("parent_span_id") or None,
            status_code=StatusCode.normalize(status.get("code")),
            status_message=status.get("message") or status.get("description") or "",
            attributes={str(k): v if isinstance(v, str) else _encode_attribute(v) for k, v in attributes.items()},
            events=[_event_from_dict(e) for e in data.get("events") or []],
            links=list(data.get("links") or []),
            trace_state=data.get("trace_state") or "",
            kind=data.get("kind"),
        )

    # -- OpenTelemetry proto JSON form (REST)
    def to_proto_json(self):
        from runtime.tracing.otlp import python_to_anyvalue

        out = {"trace_id": self.trace_id, "span_id": self.span_id}
        if self.trace_state:
            out["trace_state"] = self.trace_state
        if self.parent_span_id:
            out["parent_span_id"] = self.parent_span_id
        out["name"] = self.name
        if self.kind and self.kind != "SPAN_KIND_UNSPECIFIED":
            out["kind"] = self.kind
        out["start_time_unix_nano"] = self.start_time_unix_nano
        if self.end_time_unix_nano is not None:
            out["end_time_unix_nano"] = self.end_time_unix_nano
        out["attributes"] = [{"key": k, "value": python_to_anyvalue(_decode_attribute(v))}
                             for k, v in self.attributes.items()]
        if self.events:
            out["events"] = [_drop_none({
                "time_unix_nano": e.get("time_unix_nano"),
                "name": e.get("name"),
                "attributes": [{"key": k, "value": python_to_anyvalue(v)}
                               for k, v in (e.get("attributes") or {}).items()] or None,
            }) for e in self.events]
        status = {"code": self.status_code}
        if self.status_message:
            status["message"] = self.status_message
        out["status"] = status
        return out

    @classmethod
    def from_proto_json(cls, data):
        from runtime.tracing.otlp import keyvalues_to_dict

        if not data.get("span_id"):
            raise InvalidParameter("Span is missing span_id")
        status = data.get("status") or {}
        attributes = keyvalues_to_dict(data.get("attributes") or [])
        events = []
        for event in data.get("events") or []:
            events.append({"name": event.get("name", ""),
                           "time_unix_nano": int(event.get("time_unix_nano") or 0),
                           "attributes": keyvalues_to_dict(event.get("attributes") or [])})
        return cls(
            trace_id=data.get("trace_id") or "",
            span_id=data["span_id"],
            name=data.get("name", ""),
            start_time_unix_nano=int(data.get("start_time_unix_nano") or 0),
            end_time_unix_nano=(None if data.get("end_time_unix_nano") in (None, 0, "0")
                                else int(data["end_time_unix_nano"])),
            parent_span_id=data.get("parent_span_id") or None,
            status_code=StatusCode.normalize(status.get("code")),
            status_message=status.get("message") or "",
            attributes={k: _encode_attribute(v) for k, v in attributes.items()},
            events=events,
            links=list(data.get("links") or []),
            trace_state=data.get("trace_state") or "",
            kind=data.get("kind"),
        )


def _event_from_dict(data):
    return {"name": data.get("name", ""),
            "time_unix_nano": int(data.get("time_unix_nano") or data.get("timestamp") or 0),
            "attributes": dict(data.get("attributes") or {})}


# ---------------------------------------------------------------- whole traces
@dataclass
class Trace:
    info: TraceInfo
    spans: list = field(default_factory=list)

    def to_dict(self):
        return {"info": self.info.to_dict(), "data": {"spans": [s.to_dict() for s in self.spans]}}

    def to_proto_json(self):
        return {"trace_info": self.info.to_proto_json(), "spans": [s.to_proto_json() for s in self.spans]}

    @classmethod
    def from_proto_json(cls, data):
        return cls(TraceInfo.from_dict(data.get("trace_info") or {}),
                   [Span.from_proto_json(s) for s in data.get("spans") or []])


def spans_to_json(spans):
    """The traces.json artifact: {"spans": [...]}, as MLflow's client uploads it."""
    return json.dumps({"spans": [s.to_dict() for s in spans]}, ensure_ascii=False)


def spans_from_json(text):
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidParameter(f"Trace data is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidParameter("Trace data must be a JSON object with a 'spans' list")
    return [Span.from_dict(s) for s in data.get("spans") or []]


# ---------------------------------------------------------------- registered scorers
@dataclass
class ScorerVersion:
    """One version of a scorer registered in an experiment (MLflow's mlflow.Scorer)."""

    experiment_id: str
    name: str
    version: int
    serialized_scorer: str
    creation_time: int
    scorer_id: str

    def to_proto_json(self):
        experiment = int(self.experiment_id) if str(self.experiment_id).isdigit() else self.experiment_id
        return {"experiment_id": experiment, "scorer_name": self.name, "scorer_version": self.version,
                "serialized_scorer": self.serialized_scorer, "creation_time": self.creation_time,
                "scorer_id": self.scorer_id}

    @classmethod
    def from_proto_json(cls, data):
        return cls(str(data.get("experiment_id", "")), data.get("scorer_name") or data.get("name", ""),
                   int(data.get("scorer_version") or data.get("version") or 0), data.get("serialized_scorer", ""),
                   int(data.get("creation_time") or 0), data.get("scorer_id", ""))

    @property
    def definition(self):
        """The serialized scorer as a dict (empty when it is not JSON)."""
        try:
            data = json.loads(self.serialized_scorer)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
