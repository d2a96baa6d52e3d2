"""The trace store contract (a mixin next to TrackingStore): traces, spans, assessments, scorers.

Every backend (file, SQL, REST) mixes in an implementation; the shared
behaviour below (argument checks, assessment updates, reading spans back) is
written once here. Semantics follow MLflow's stores:

* ``start_trace`` records a TraceInfo in an active experiment and adds the
  ``mlflow.artifactLocation`` tag (<experiment artifact location>/traces/<id>/artifacts).
  If spans arrived first (``log_spans``) the two are merged.
* ``log_spans`` stores spans; a trace that does not exist yet is created from
  them, and the trace gets the tag ``mlflow.trace.spansLocation=TRACKING_STORE``
  so clients read its spans from the store rather than from artifacts.
* ``get_trace`` returns info and spans; spans come from the store, else from a
  ``traces.json`` the client uploaded to a local artifact location.
* ``delete_traces`` takes either trace ids or ``max_timestamp_millis`` (with an
  optional ``max_traces``, oldest first), never both; it returns the count.
* Assessments: ``create_assessment`` assigns ``a-<hex>`` ids and times; an
  assessment that ``overrides`` another marks that one invalid (and deleting
  the override makes it valid again). ``update_assessment`` never changes the
  source, span or kind; metadata is merged.
* Scorers are versioned per (experiment, name) from 1 upwards.
"""

import json
import os
import time
from abc import ABC, abstractmethod

from runtime.errors import InvalidParameter, NotFound
from runtime.validation import (
    MAX_TRACE_LINKS_PER_REQUEST,
    validate_assessment_id,
    validate_experiment_id,
    validate_max_results,
    validate_run_id,
    validate_scorer_name,
    validate_trace_id,
    validate_trace_tag,
)

INFO_FINALIZED = "mlflow.trace.infoFinalized"  # set by start_trace: later spans no longer change the info
SEARCH_TRACES_DEFAULT_MAX_RESULTS = 100
SEARCH_TRACES_MAX_RESULTS = 50000
TRACE_SPANS_FILE = "traces.json"
_UNSET = object()


def now_ms():
    return int(time.time() * 1000)


class TraceStore(ABC):
    """Traces: their info, tags, spans and run links. Every backend implements each abstract method."""

    # ---- trace info ---------------------------------------------------
    @abstractmethod
    def start_trace(self, trace_info):
        """Record a TraceInfo (merging with spans already logged); returns the stored TraceInfo."""

    @abstractmethod
    def get_trace_info(self, trace_id):
        """The TraceInfo with its tags, metadata and assessments; NotFound if absent."""

    def batch_get_trace_infos(self, trace_ids, experiment_ids=None):
        """TraceInfos of the ids that exist (missing ids are skipped), in the order asked."""
        found = []
        for trace_id in trace_ids:
            try:
                info = self.get_trace_info(trace_id)
            except NotFound:
                continue
            if experiment_ids and info.experiment_id not in [str(e) for e in experiment_ids]:
                continue
            found.append(info)
        return found

    @abstractmethod
    def search_traces(self, experiment_ids, filter_string=None, max_results=SEARCH_TRACES_DEFAULT_MAX_RESULTS,
                      order_by=None, page_token=None, model_id=None):
        """A PagedList of TraceInfo matching the filter (runtime.tracing.filter grammar)."""

    @abstractmethod
    def set_trace_tag(self, trace_id, key, value):
        ...

    @abstractmethod
    def delete_trace_tag(self, trace_id, key):
        """NotFound when the trace has no such tag."""

    @abstractmethod
    def delete_traces(self, experiment_id, max_timestamp_millis=None, max_traces=None, trace_ids=None):
        """Delete by ids, or the oldest traces up to a timestamp; returns how many were deleted."""

    @abstractmethod
    def link_traces_to_run(self, trace_ids, run_id):
        """Associate up to 100 traces with a run (run_id filters then find them)."""

    # ---- spans --------------------------------------------------------
    @abstractmethod
    def log_spans(self, experiment_id, spans):
        """Store Span objects (grouped by trace); returns the spans."""

    @abstractmethod
    def get_spans(self, trace_id):
        """The spans the store holds for a trace, or None when it holds none."""

    def get_trace(self, trace_id):
        """The whole Trace: info plus spans (from the store, else from a local traces.json)."""
        from runtime.tracing.entities import Trace

        info = self.get_trace_info(trace_id)
        spans = self.get_spans(trace_id)
        if spans is None:
            spans = read_artifact_spans(info) or []
        return Trace(info, spans)

    def batch_get_traces(self, trace_ids, experiment_ids=None):
        from runtime.tracing.entities import Trace

        traces = []
        for info in self.batch_get_trace_infos(trace_ids, experiment_ids):
            spans = self.get_spans(info.trace_id)
            if spans is None:
                spans = read_artifact_spans(info) or []
            traces.append(Trace(info, spans))
        return traces



class AssessmentStore(ABC):
    """Assessments (feedback and expectations) attached to traces."""

    @abstractmethod
    def create_assessment(self, assessment):
        """Record a new Assessment on its trace; returns it with its id and times."""

    @abstractmethod
    def get_assessment(self, trace_id, assessment_id):
        """The Assessment; NotFound if the trace or the assessment is absent."""

    @abstractmethod
    def update_assessment(self, trace_id, assessment_id, name=None, value=_UNSET, rationale=None, metadata=None,
                          error=None):
        """Change value, rationale or metadata; the kind, source and span stay; returns the Assessment."""

    @abstractmethod
    def delete_assessment(self, trace_id, assessment_id):
        """Idempotent: deleting a missing assessment of an existing trace is not an error."""



class ScorerStore(ABC):
    """Versioned scorers registered on experiments."""

    @abstractmethod
    def register_scorer(self, experiment_id, name, serialized_scorer):
        """Store a new version of a scorer; returns its ScorerVersion."""

    @abstractmethod
    def list_scorer_versions(self, experiment_id, name=None):
        """Every version (of one scorer, or of all), ordered by name then version."""

    def list_scorers(self, experiment_id):
        """The latest version of each scorer of an experiment, ordered by name."""
        latest = {}
        for version in self.list_scorer_versions(experiment_id):
            latest[version.name] = version
        return [latest[name] for name in sorted(latest)]

    def get_scorer(self, experiment_id, name, version=None):
        """One version (the latest when version is None); NotFound if absent."""
        versions = self.list_scorer_versions(experiment_id, name)
        if version is not None:
            versions = [v for v in versions if v.version == int(version)]
        if not versions:
            what = f"version {version} of scorer" if version is not None else "scorer"
            raise NotFound(f"No {what} {name!r} in experiment {experiment_id}")
        return versions[-1]

    @abstractmethod
    def delete_scorer(self, experiment_id, name, version=None):
        """Delete one version, or every version when version is None."""


# ---------------------------------------------------------------- shared checks
def check_search_args(experiment_ids, max_results):
    if not experiment_ids:
        raise InvalidParameter("At least one experiment id is needed to search traces")
    ids = [validate_experiment_id(e) for e in experiment_ids]
    limit = validate_max_results(
        SEARCH_TRACES_DEFAULT_MAX_RESULTS if max_results is None else max_results, SEARCH_TRACES_MAX_RESULTS)
    return ids, limit


def check_delete_args(max_timestamp_millis, max_traces, trace_ids):
    """MLflow's rules: ids or a timestamp (not both, not neither); max_traces only with the timestamp."""
    if max_timestamp_millis is None and not trace_ids:
        raise InvalidParameter("Either max_timestamp_millis or trace_ids must be specified.")
    if max_timestamp_millis is not None and trace_ids:
        raise InvalidParameter("Only one of max_timestamp_millis and trace_ids can be specified.")
    if trace_ids and max_traces is not None:
        raise InvalidParameter("max_traces can't be specified if trace_ids is specified.")
    if max_traces is not None and int(max_traces) <= 0:
        raise InvalidParameter(f"max_traces must be positive, got {max_traces}.")
    for trace_id in trace_ids or ():
        validate_trace_id(trace_id)


def check_link_args(trace_ids, run_id):
    validate_run_id(run_id)
    trace_ids = list(trace_ids or ())
    if len(trace_ids) > MAX_TRACE_LINKS_PER_REQUEST:
        raise InvalidParameter(
            f"Cannot link more than {MAX_TRACE_LINKS_PER_REQUEST} traces to a run in a single request. "
            f"Provided {len(trace_ids)} traces.")
    for trace_id in trace_ids:
        validate_trace_id(trace_id)
    return trace_ids


def check_trace_info(info):
    """Validate what a client sends as a new TraceInfo."""
    validate_trace_id(info.trace_id)
    validate_experiment_id(info.experiment_id)
    for key, value in info.tags.items():
        validate_trace_tag(key, value)
    for key, value in info.trace_metadata.items():
        validate_trace_tag(key, value)


def check_active(experiment):
    """New traces and scorers go to active experiments only."""
    from runtime.entities import LifecycleStage
    from runtime.errors import InvalidState

    if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidState(f"The experiment {experiment.experiment_id} must be in the 'active' state. "
                           f"Current state is {experiment.lifecycle_stage}.")
    return experiment


def trace_artifact_location(experiment_artifact_location, trace_id):
    """Where a trace's artifacts (traces.json, attachments) live: <experiment>/traces/<id>/artifacts."""
    return experiment_artifact_location.rstrip("/") + f"/traces/{trace_id}/artifacts"


def info_after_spans(existing, trace_id, experiment, spans):
    """A trace's info once (more) spans were logged: derived from all its spans until start_trace finalized it.

    experiment is the Experiment a new trace goes to (its artifact location names the trace's).
    """
    from runtime.tracing.build import trace_info_from_spans
    from runtime.tracing.entities import TagKey

    if existing is None:
        info = trace_info_from_spans(trace_id, experiment.experiment_id, spans)
        info.tags[TagKey.ARTIFACT_LOCATION] = trace_artifact_location(experiment.artifact_location, trace_id)
        return info
    if existing.trace_metadata.get(INFO_FINALIZED) == "true":
        return existing
    derived = trace_info_from_spans(trace_id, existing.experiment_id, spans)
    derived.tags = {**existing.tags, **derived.tags}
    derived.trace_metadata = {**existing.trace_metadata, **derived.trace_metadata}
    return derived


def local_path_of(uri):
    """The local folder of a file: URI or plain path, else None (remote artifact stores)."""
    if not uri:
        return None
    if uri.startswith("file:"):
        from runtime.tracking_uri import local_path_from_uri

        return local_path_from_uri(uri)
    if "://" in uri or uri.startswith(("mlflow-artifacts:", "s3:", "gs:", "wasbs:", "hdfs:", "dbfs:", "runs:")):
        return None
    return uri


def read_artifact_spans(info):
    """Spans from the traces.json a client uploaded to the trace's (local) artifact location."""
    from runtime.tracing.entities import TagKey, spans_from_json

    folder = local_path_of(info.tags.get(TagKey.ARTIFACT_LOCATION))
    if not folder:
        return None
    path = os.path.join(folder, TRACE_SPANS_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            return spans_from_json(handle.read())
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------- assessments
def prepare_new_assessment(assessment, trace_id=None):
    """Fill id, times and validity of an assessment about to be stored."""
    from runtime.tracing.entities import new_assessment_id

    assessment.trace_id = trace_id or assessment.trace_id
    validate_trace_id(assessment.trace_id)
    if not assessment.name:
        raise InvalidParameter("An assessment needs a name")
    stamp = now_ms()
    assessment.assessment_id = new_assessment_id()
    assessment.create_time_ms = assessment.create_time_ms or stamp
    assessment.last_update_time_ms = stamp
    assessment.valid = True
    if assessment.overrides:
        validate_assessment_id(assessment.overrides)
    return assessment


def updated_assessment(existing, name=None, value=_UNSET, rationale=None, metadata=None, error=None):
    """The assessment after an update: renamed if asked (as MLflow allows), metadata merged, time bumped
    (a new object)."""
    import copy

    if name is not None and not str(name).strip():
        raise InvalidParameter(f"The name of assessment {existing.assessment_id} cannot be empty.")
    updated = copy.deepcopy(existing)
    if name is not None:
        updated.name = str(name)
    if value is not _UNSET:
        updated.value = value
        if value is not None:
            updated.error = None
    if error is not None:
        updated.error = error
    if rationale is not None:
        if existing.kind != "feedback":
            raise InvalidParameter("Only feedback has a rationale; expectations cannot take one.")
        updated.rationale = rationale
    if metadata:
        merged = dict(existing.metadata or {})
        merged.update({str(k): "" if v is None else str(v) for k, v in metadata.items()})
        updated.metadata = merged
    updated.last_update_time_ms = max(now_ms(), existing.last_update_time_ms or 0)
    return updated


def parse_serialized_scorer(serialized_scorer):
    """Refuse a serialized scorer that is not a JSON object (we read it back to run it)."""
    try:
        data = json.loads(serialized_scorer)
    except (TypeError, ValueError):
        raise InvalidParameter("serialized_scorer must be JSON text") from None
    if not isinstance(data, dict):
        raise InvalidParameter("serialized_scorer must be a JSON object")
    return data


def check_scorer_args(experiment_id, name):
    validate_experiment_id(experiment_id)
    validate_scorer_name(name)


UNSET = _UNSET
