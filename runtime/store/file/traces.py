"""Traces in the file store, in the layout MLflow's FileStore writes:

    <root>/<experiment_id>/traces/<trace_id>/trace_info.yaml      TraceInfo.to_dict() minus tags,
                                                                   metadata and assessments
                                            /request_metadata/<key> value (one file per key)
                                            /tags/<key>             value
                                            /assessments/<assessment_id>.yaml
                                            /artifacts/traces.json  {"spans": [...]}
                                            /linked_runs/<run_id>   (mlf: runs linked to the trace)
    <root>/<experiment_id>/traces/.scorers/<name>/<version>.json   (mlf: registered scorers)

Real mlflow reads these traces (it skips folders without trace_info.yaml, so
the scorer folder is invisible to it). Spans logged through the store land in
artifacts/traces.json, which is also where MLflow's client uploads them when
the experiment's artifacts are local. Deleted experiments keep their traces
in <root>/.trash/<experiment_id>/traces.

TraceFileStoreMixin needs the host to provide ``root_directory``,
``get_experiment`` and ``get_run``.
"""

import json
import os
import shutil
import threading

from runtime.entities import PagedList
from runtime.errors import InvalidState, MlfError, NotFound
from runtime.store.file.layout import read_key_value_files, read_text, write_atomic
from runtime.search.paging import paginate
from runtime.store.file import meta_yaml
from runtime.store.contract.traces import (
    INFO_FINALIZED,
    TRACE_SPANS_FILE,
    UNSET,
    AssessmentStore,
    ScorerStore,
    TraceStore,
    check_active,
    check_delete_args,
    check_link_args,
    check_scorer_args,
    check_search_args,
    check_trace_info,
    info_after_spans,
    local_path_of,
    now_ms,
    parse_serialized_scorer,
    prepare_new_assessment,
    trace_artifact_location,
    updated_assessment,
)
from runtime.validation import (
    validate_assessment_id,
    validate_experiment_id,
    validate_key,
    validate_trace_id,
    validate_trace_tag,
)

TRACES_FOLDER = "traces"
TRASH_FOLDER = ".trash"
TRACE_INFO_FILE = "trace_info.yaml"
METADATA_FOLDER = "request_metadata"  # MLflow kept the v2 name on disk
TAGS_FOLDER = "tags"
ASSESSMENTS_FOLDER = "assessments"
ARTIFACTS_FOLDER = "artifacts"
LINKED_RUNS_FOLDER = "linked_runs"
SCORERS_FOLDER = ".scorers"


def _dump_yaml(data):
    try:
        return meta_yaml.dumps(data)
    except TypeError:
        # Nested lists (structured feedback values) are outside the fast writer's subset.
        import yaml

        return yaml.safe_dump(data, default_flow_style=False, allow_unicode=True)


class TraceFileStoreMixin(TraceStore, AssessmentStore, ScorerStore):
    """TraceStore, AssessmentStore and ScorerStore methods for the file tracking store."""

    _trace_lock = threading.RLock()

    # ---------------------------------------------------------------- paths
    def _experiment_folder_for_traces(self, experiment_id):
        """(folder, in_trash) of an experiment; NotFound if it has no folder."""
        experiment_id = validate_experiment_id(experiment_id)
        for parent, in_trash in ((self.root_directory, False), (os.path.join(self.root_directory, TRASH_FOLDER), True)):
            folder = os.path.join(parent, experiment_id)
            if os.path.isdir(folder) and os.path.isfile(os.path.join(folder, "meta.yaml")):
                return folder, in_trash
        raise NotFound(f"Could not find experiment with ID {experiment_id}")

    def _experiment_folders(self):
        for parent in (self.root_directory, os.path.join(self.root_directory, TRASH_FOLDER)):
            try:
                entries = list(os.scandir(parent))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                    yield entry.path

    def _trace_dir(self, trace_id):
        """The folder of a trace in any experiment; NotFound if there is none."""
        validate_trace_id(trace_id)
        cache = self.__dict__.setdefault("_trace_dir_cache", {})
        cached = cache.get(trace_id)
        if cached and os.path.isfile(os.path.join(cached, TRACE_INFO_FILE)):
            return cached
        for folder in self._experiment_folders():
            candidate = os.path.join(folder, TRACES_FOLDER, trace_id)
            if os.path.isfile(os.path.join(candidate, TRACE_INFO_FILE)):
                cache[trace_id] = candidate
                return candidate
        raise NotFound(f"Trace with ID '{trace_id}' not found")

    def _trace_dirs(self, experiment_folder):
        traces_folder = os.path.join(experiment_folder, TRACES_FOLDER)
        try:
            entries = list(os.scandir(traces_folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [e.path for e in entries if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)]

    # ---------------------------------------------------------------- reading
    def _read_info_file(self, trace_dir):
        """The TraceInfo of trace_info.yaml alone (no tags, metadata or assessments); None if there is none."""
        from runtime.tracing.entities import TraceInfo

        try:
            data = meta_yaml.loads(read_text(os.path.join(trace_dir, TRACE_INFO_FILE)))
        except FileNotFoundError:
            return None
        if not isinstance(data, dict):
            raise InvalidState(f"{trace_dir}/{TRACE_INFO_FILE} is not a mapping")
        data = {k: v for k, v in data.items() if k not in ("tags", "trace_metadata", "assessments")}
        return TraceInfo.from_dict(data)

    @staticmethod
    def _read_assessments(trace_dir):
        from runtime.tracing.entities import Assessment

        folder = os.path.join(trace_dir, ASSESSMENTS_FOLDER)
        assessments = [Assessment.from_dict(meta_yaml.loads(read_text(os.path.join(folder, name))))
                       for name in sorted(_listdir(folder)) if name.endswith(".yaml")]
        assessments.sort(key=lambda a: (a.create_time_ms or 0, a.assessment_id or ""))
        return assessments

    def _signature(self, trace_dir):
        """What changes whenever anything of the trace's info is rewritten (files are replaced by rename)."""
        signature = []
        for name in ("", TAGS_FOLDER, METADATA_FOLDER, ASSESSMENTS_FOLDER, TRACE_INFO_FILE):
            try:
                stat = os.stat(os.path.join(trace_dir, name) if name else trace_dir)
                signature.append((stat.st_ino, stat.st_mtime_ns, stat.st_size))
            except FileNotFoundError:
                signature.append(None)
        return signature

    def _read_trace_info(self, trace_dir):
        """The full TraceInfo of a trace folder (cached while its folders are unchanged); None if it has none."""
        signature = self._signature(trace_dir)
        if signature[-1] is None:
            return None
        cache = self.__dict__.setdefault("_trace_info_cache", {})
        hit = cache.get(trace_dir)
        if hit is not None and hit[0] == signature:
            return _copy_info(hit[1])
        info = self._read_info_file(trace_dir)
        if info is None:
            return None
        info.tags = read_key_value_files(os.path.join(trace_dir, TAGS_FOLDER))
        info.trace_metadata = read_key_value_files(os.path.join(trace_dir, METADATA_FOLDER))
        info.assessments = self._read_assessments(trace_dir)
        if len(cache) > 200_000:
            cache.clear()
        cache[trace_dir] = (signature, info)
        return _copy_info(info)

    def _read_for_search(self, trace_dir, needs):
        """Enough of a trace's info to filter and sort it: the info file plus the folders in needs."""
        cached = self.__dict__.get("_trace_info_cache", {}).get(trace_dir)
        if cached is not None and cached[0] == self._signature(trace_dir):
            return cached[1]
        info = self._read_info_file(trace_dir)
        if info is not None:
            if "tags" in needs:
                info.tags = read_key_value_files(os.path.join(trace_dir, TAGS_FOLDER))
            if "metadata" in needs:
                info.trace_metadata = read_key_value_files(os.path.join(trace_dir, METADATA_FOLDER))
        return info

    def get_trace_info(self, trace_id):
        info = self._read_trace_info(self._trace_dir(trace_id))
        if info is None:
            raise NotFound(f"Trace with ID '{trace_id}' not found")
        return info

    def _linked_runs(self, trace_dir):
        try:
            return set(os.listdir(os.path.join(trace_dir, LINKED_RUNS_FOLDER)))
        except FileNotFoundError:
            return set()

    def search_traces(self, experiment_ids, filter_string=None, max_results=None, order_by=None, page_token=None,
                      model_id=None):
        from runtime.tracing.entities import MetadataKey
        from runtime.tracing.filter import parse_trace_filter, parse_trace_order_by
        from runtime.tracing.filter_eval import sort_traces, trace_matches

        experiment_ids, limit = check_search_args(experiment_ids, max_results)
        comparisons = parse_trace_filter(filter_string)
        order_keys = parse_trace_order_by(order_by)
        # Read only what filtering and sorting need; the page's traces are read in full afterwards.
        needs = {"tags" if c.entity == "tag" else "metadata"
                 for c in comparisons if c.entity in ("tag", "metadata", "run")}
        if model_id:
            needs.add("metadata")
        if any(k.key == "name" for k in order_keys):
            needs.add("tags")
        linked_needed = any(c.entity == "run" for c in comparisons)
        matched, folders = [], {}
        for experiment_id in experiment_ids:
            folder, _ = self._experiment_folder_for_traces(experiment_id)
            for trace_dir in self._trace_dirs(folder):
                info = self._read_for_search(trace_dir, needs)
                if info is None:
                    continue
                if model_id and info.trace_metadata.get(MetadataKey.MODEL_ID) != model_id:
                    continue
                linked = self._linked_runs(trace_dir) if linked_needed else ()
                if trace_matches(info, comparisons, linked, lambda d=trace_dir: self._span_texts(d)):
                    matched.append(info)
                    folders[info.trace_id] = trace_dir
        page = paginate(sort_traces(matched, order_keys), limit, page_token)
        full = [self._read_trace_info(folders[info.trace_id]) for info in page]
        return PagedList([info for info in full if info is not None], page.token)

    # ---------------------------------------------------------------- writing trace info
    def _write_key_files(self, folder, mapping):
        for key, value in mapping.items():
            validate_key(key, "trace tag name")
            write_atomic(os.path.join(folder, *key.split("/")), "" if value is None else str(value))

    def _write_trace_info(self, trace_dir, info):
        data = info.to_dict()
        for name in ("tags", "trace_metadata", "assessments"):
            data.pop(name, None)
        write_atomic(os.path.join(trace_dir, TRACE_INFO_FILE), _dump_yaml(data))

    def _active_experiment_for_traces(self, experiment_id):
        experiment = check_active(self.get_experiment(experiment_id))
        folder, _ = self._experiment_folder_for_traces(experiment_id)
        return experiment, folder

    def start_trace(self, trace_info):
        check_trace_info(trace_info)
        with self._trace_lock:
            experiment, folder = self._active_experiment_for_traces(trace_info.experiment_id)
            trace_dir = os.path.join(folder, TRACES_FOLDER, trace_info.trace_id)
            existing = self._read_trace_info(trace_dir) if os.path.isdir(trace_dir) else None
            info = _copy_info(trace_info)
            info.assessments = []
            info.tags[_artifact_tag()] = trace_artifact_location(experiment.artifact_location, info.trace_id)
            if existing is not None:
                # Spans came first: keep what log_spans recorded, the client's values win.
                info.tags = {**existing.tags, **info.tags}
                info.trace_metadata = {**existing.trace_metadata, **info.trace_metadata}
            info.trace_metadata[INFO_FINALIZED] = "true"
            os.makedirs(trace_dir, exist_ok=True)
            self._write_key_files(os.path.join(trace_dir, METADATA_FOLDER), info.trace_metadata)
            self._write_key_files(os.path.join(trace_dir, TAGS_FOLDER), info.tags)
            self._write_trace_info(trace_dir, info)
        for assessment in trace_info.assessments:
            assessment.trace_id = info.trace_id
            self.create_assessment(assessment)
        return self.get_trace_info(info.trace_id)

    def set_trace_tag(self, trace_id, key, value):
        value = validate_trace_tag(key, value)
        trace_dir = self._trace_dir(trace_id)
        self._write_key_files(os.path.join(trace_dir, TAGS_FOLDER), {key: value})

    def delete_trace_tag(self, trace_id, key):
        validate_key(key, "trace tag name")
        trace_dir = self._trace_dir(trace_id)
        path = os.path.join(trace_dir, TAGS_FOLDER, *key.split("/"))
        if not os.path.isfile(path):
            raise NotFound(f"No tag with name: {key} in trace with ID {trace_id}.")
        os.remove(path)

    def delete_traces(self, experiment_id, max_timestamp_millis=None, max_traces=None, trace_ids=None):
        check_delete_args(max_timestamp_millis, max_traces, trace_ids)
        folder, _ = self._experiment_folder_for_traces(experiment_id)
        with self._trace_lock:
            if trace_ids:
                doomed = [os.path.join(folder, TRACES_FOLDER, t) for t in dict.fromkeys(trace_ids)]
                doomed = [d for d in doomed if os.path.isfile(os.path.join(d, TRACE_INFO_FILE))]
            else:
                candidates = []
                for trace_dir in self._trace_dirs(folder):
                    info = self._read_trace_info(trace_dir)
                    if info is not None and info.request_time <= int(max_timestamp_millis):
                        candidates.append((info.request_time, info.trace_id, trace_dir))
                candidates.sort()
                if max_traces is not None:
                    candidates = candidates[: int(max_traces)]
                doomed = [c[2] for c in candidates]
            for trace_dir in doomed:
                shutil.rmtree(trace_dir, ignore_errors=True)
                self.__dict__.get("_trace_info_cache", {}).pop(trace_dir, None)
        return len(doomed)

    def link_traces_to_run(self, trace_ids, run_id):
        trace_ids = check_link_args(trace_ids, run_id)
        self.get_run(run_id)  # NotFound for an unknown run
        trace_dirs = [self._trace_dir(t) for t in trace_ids]
        for trace_dir in trace_dirs:
            write_atomic(os.path.join(trace_dir, LINKED_RUNS_FOLDER, run_id), "")

    # ---------------------------------------------------------------- spans
    def _span_texts(self, trace_dir):
        """Each span as the JSON text the SQL store keeps (what trace.text matches against)."""
        from runtime.tracing.entities import spans_from_json

        try:
            spans = spans_from_json(read_text(self._spans_path(trace_dir)))
        except (FileNotFoundError, MlfError):
            return []
        return [json.dumps(span.to_dict(), ensure_ascii=False) for span in spans]

    def _spans_path(self, trace_dir):
        return os.path.join(trace_dir, ARTIFACTS_FOLDER, TRACE_SPANS_FILE)

    def get_spans(self, trace_id):
        from runtime.tracing.entities import spans_from_json

        path = self._spans_path(self._trace_dir(trace_id))
        try:
            return spans_from_json(read_text(path))
        except FileNotFoundError:
            return None

    def log_spans(self, experiment_id, spans):
        from runtime.tracing.build import group_by_trace, merge_spans
        from runtime.tracing.entities import SpansLocation, TagKey, spans_to_json

        groups = group_by_trace(spans)
        for trace_id in groups:
            validate_trace_id(trace_id)
        experiment = self.get_experiment(experiment_id)  # NotFound for an unknown experiment, trace or not
        for trace_id, trace_spans in groups.items():
            with self._trace_lock:
                try:
                    trace_dir = self._trace_dir(trace_id)
                    existing = self._read_trace_info(trace_dir)
                except NotFound:
                    experiment, folder = self._active_experiment_for_traces(experiment_id)
                    trace_dir = os.path.join(folder, TRACES_FOLDER, trace_id)
                    existing = None
                old_spans = self.get_spans(trace_id) if existing is not None else []
                # Start-time order (as the SQL store returns them): spans arrive as they end, children first.
                all_spans = sorted(merge_spans(old_spans or [], trace_spans), key=lambda s: s.start_time_unix_nano)
                write_atomic(self._spans_path(trace_dir), spans_to_json(all_spans))
                info = info_after_spans(existing, trace_id, experiment, all_spans)
                if not _same_folder(local_path_of(info.tags.get(TagKey.ARTIFACT_LOCATION)),
                                    os.path.join(trace_dir, ARTIFACTS_FOLDER)):
                    # Clients must read these spans from the store, not from the artifact location.
                    info.tags[TagKey.SPANS_LOCATION] = SpansLocation.TRACKING_STORE
                self._write_key_files(os.path.join(trace_dir, METADATA_FOLDER), info.trace_metadata)
                self._write_key_files(os.path.join(trace_dir, TAGS_FOLDER), info.tags)
                self._write_trace_info(trace_dir, info)
        return list(spans)

    # ---------------------------------------------------------------- assessments
    def _assessment_path(self, trace_dir, assessment_id):
        validate_assessment_id(assessment_id)
        return os.path.join(trace_dir, ASSESSMENTS_FOLDER, f"{assessment_id}.yaml")

    def _save_assessment(self, trace_dir, assessment):
        write_atomic(self._assessment_path(trace_dir, assessment.assessment_id), _dump_yaml(assessment.to_dict()))

    def _load_assessment(self, trace_dir, trace_id, assessment_id):
        from runtime.tracing.entities import Assessment

        path = self._assessment_path(trace_dir, assessment_id)
        try:
            return Assessment.from_dict(meta_yaml.loads(read_text(path)))
        except FileNotFoundError:
            raise NotFound(f"Assessment with ID '{assessment_id}' not found for trace '{trace_id}'") from None

    def create_assessment(self, assessment):
        prepare_new_assessment(assessment)
        trace_dir = self._trace_dir(assessment.trace_id)
        with self._trace_lock:
            if assessment.overrides:
                original = self._load_assessment(trace_dir, assessment.trace_id, assessment.overrides)
                original.valid = False
                self._save_assessment(trace_dir, original)
            self._save_assessment(trace_dir, assessment)
        return assessment

    def get_assessment(self, trace_id, assessment_id):
        return self._load_assessment(self._trace_dir(trace_id), trace_id, assessment_id)

    def update_assessment(self, trace_id, assessment_id, name=None, value=UNSET, rationale=None, metadata=None,
                          error=None):
        trace_dir = self._trace_dir(trace_id)
        with self._trace_lock:
            existing = self._load_assessment(trace_dir, trace_id, assessment_id)
            updated = updated_assessment(existing, name, value, rationale, metadata, error)
            self._save_assessment(trace_dir, updated)
        return updated

    def delete_assessment(self, trace_id, assessment_id):
        trace_dir = self._trace_dir(trace_id)
        path = self._assessment_path(trace_dir, assessment_id)
        with self._trace_lock:
            if not os.path.isfile(path):
                return
            doomed = self._load_assessment(trace_dir, trace_id, assessment_id)
            os.remove(path)
            if doomed.overrides:
                try:
                    original = self._load_assessment(trace_dir, trace_id, doomed.overrides)
                except NotFound:
                    return
                original.valid = True
                original.last_update_time_ms = now_ms()
                self._save_assessment(trace_dir, original)

    # ---------------------------------------------------------------- scorers
    def _scorers_folder(self, experiment_id):
        folder, _ = self._experiment_folder_for_traces(experiment_id)
        return os.path.join(folder, TRACES_FOLDER, SCORERS_FOLDER)

    def register_scorer(self, experiment_id, name, serialized_scorer):
        from runtime.tracing.entities import ScorerVersion

        check_scorer_args(experiment_id, name)
        parse_serialized_scorer(serialized_scorer)
        self._active_experiment_for_traces(experiment_id)
        with self._trace_lock:
            existing = self.list_scorer_versions(experiment_id, name)
            scorer_id = existing[0].scorer_id if existing else _new_scorer_id()
            version = ScorerVersion(str(experiment_id), name, (existing[-1].version + 1) if existing else 1,
                                    serialized_scorer, now_ms(), scorer_id)
            path = os.path.join(self._scorers_folder(experiment_id), name, f"{version.version}.json")
            write_atomic(path, json.dumps(version.to_proto_json()))
        return version

    def list_scorer_versions(self, experiment_id, name=None):
        from runtime.tracing.entities import ScorerVersion

        validate_experiment_id(experiment_id)
        root = self._scorers_folder(experiment_id)
        names = [name] if name is not None else sorted(_listdir(root))
        versions = []
        for scorer in names:
            folder = os.path.join(root, scorer)
            numbers = sorted(int(f[:-5]) for f in _listdir(folder) if f.endswith(".json") and f[:-5].isdigit())
            for number in numbers:
                data = json.loads(read_text(os.path.join(folder, f"{number}.json")))
                versions.append(ScorerVersion.from_proto_json({**data, "experiment_id": str(experiment_id)}))
        return versions

    def delete_scorer(self, experiment_id, name, version=None):
        check_scorer_args(experiment_id, name)
        folder = os.path.join(self._scorers_folder(experiment_id), name)
        if version is None:
            if not os.path.isdir(folder):
                raise NotFound(f"No scorer {name!r} in experiment {experiment_id}")
            shutil.rmtree(folder)
            return
        path = os.path.join(folder, f"{int(version)}.json")
        if not os.path.isfile(path):
            raise NotFound(f"No version {version} of scorer {name!r} in experiment {experiment_id}")
        os.remove(path)
        if not _listdir(folder):
            os.rmdir(folder)


def _listdir(folder):
    try:
        return [n for n in os.listdir(folder) if not n.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _new_scorer_id():
    import uuid

    return str(uuid.uuid4())


def _artifact_tag():
    from runtime.tracing.entities import TagKey

    return TagKey.ARTIFACT_LOCATION


def _same_folder(left, right):
    if not left or not right:
        return False
    return os.path.realpath(left) == os.path.realpath(right)


def _copy_info(info):
    """A copy whose maps and lists callers may change without touching the cache."""
    import dataclasses

    return dataclasses.replace(info, tags=dict(info.tags), trace_metadata=dict(info.trace_metadata),
                               assessments=list(info.assessments))
