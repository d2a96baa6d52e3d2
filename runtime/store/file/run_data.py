"""What a file-store run records: metrics/<key> lines, params/, tags/, inputs/, outputs/, datasets/.

A metric file holds one "timestamp value step" line per logged value (plus
dataset name and digest when the value was logged against a dataset).
"""

import logging
import os

from runtime import validation
from runtime.entities import (
    Dataset,
    DatasetInput,
    Metric,
    PagedList,
)
from runtime.errors import InvalidParameter, NotFound
from runtime.search import paging
from runtime.store.file.layout import (
    DATASETS, FILE_MODE, FOLDER_ID, INPUTS, META, METRICS, OUTPUTS, PARAMS, REGISTRY_FOLDER, RUN_NAME_TAG, TAGS,
    CACHE_LIMIT, MalformedRecord, MissingMeta, key_value_pairs,
)

_logger = logging.getLogger("mlf")


def _md5_hex(*parts):
    import hashlib

    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def _value_rank(value):
    """Order metric values with NaN above everything (it sorts deterministically)."""
    return (1, 0.0) if value != value else (0, value)


def _metric_order(metric):
    return (metric.step, metric.timestamp, _value_rank(metric.value))


def _parse_metric_line(line):
    """'timestamp value [step [dataset_name dataset_digest]]' -> tuple, or None when malformed."""
    parts = line.split()
    count = len(parts)
    if count not in (2, 3, 5):
        return None
    try:
        timestamp = int(parts[0])
        value = float(parts[1])
        step = int(parts[2]) if count >= 3 else 0
    except ValueError:
        return None
    if count == 5:
        return timestamp, value, step, parts[3], parts[4]
    return timestamp, value, step, None, None


def _dataset_id_for(name, digest):
    return _md5_hex(name, digest)



class RunDataFiles:
    """Metrics, params, tags, inputs and outputs of file-store runs."""

    def _latest_metric(self, path, key, run_id):
        """The latest value in a metric file, reading only what was appended since last time."""
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        cached = self._latest_cache.get(path)
        start, best = 0, None
        if cached is not None and cached[0] == info.st_ino and cached[1] <= info.st_size:
            start, best = cached[1], cached[2]
            if start == info.st_size:
                return self._metric_from(key, best, run_id) if best else None
        data = self._read_bytes(path, start)
        # The cache remembers complete lines only; a last line without its newline (an
        # append in progress, or a hand-written file) still counts for this answer.
        complete = data.rfind(b"\n") + 1
        best = self._latest_line(data[:complete], best, path)
        if len(self._latest_cache) >= CACHE_LIMIT:
            self._latest_cache.clear()
        self._latest_cache[path] = (info.st_ino, start + complete, best)
        if complete < len(data):
            best = self._latest_line(data[complete:], best, path)
        return self._metric_from(key, best, run_id) if best else None

    @staticmethod
    def _latest_line(data, best, path):
        """The latest of ``best`` and the metric lines in ``data`` (max by step, timestamp, value)."""
        best_order = None if best is None else (best[2], best[0], _value_rank(best[1]))
        for line in data.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            parsed = _parse_metric_line(line)
            if parsed is None:
                _logger.warning("Ignoring malformed line %r in metric file %s", line[:80], path)
                continue
            order = (parsed[2], parsed[0], _value_rank(parsed[1]))
            if best_order is None or order >= best_order:
                best, best_order = parsed, order
        return best

    @staticmethod
    def _metric_from(key, parsed, run_id):
        timestamp, value, step, dataset_name, dataset_digest = parsed
        return Metric(key, value, timestamp, step, run_id, dataset_name, dataset_digest)

    def _read_metrics(self, run_folder, run_id, keys=None):
        folder = os.path.join(run_folder, METRICS)
        found = {}
        if keys is None:
            items = self._walk_key_files(folder)
        else:
            items = ((key, self._key_path(folder, key)) for key in keys)
        for key, path in items:
            if path is None:
                continue
            try:
                metric = self._latest_metric(path, key, run_id)
            except (IsADirectoryError, InvalidParameter):
                continue
            except OSError as exc:
                _logger.warning("Cannot read metric file %s: %s", path, exc)
                continue
            if metric is not None:
                found[key] = metric
        return found

    def _read_dataset(self, experiment_folder, dataset_id, cache):
        key = (experiment_folder, dataset_id)
        if key not in cache:
            cache[key] = None
            try:
                meta = self._load_meta(self._checked(experiment_folder, f"{DATASETS}/{dataset_id}"))
                cache[key] = Dataset(
                    name=str(meta["name"]),
                    digest=str(meta["digest"]),
                    source_type=str(meta.get("source_type") or ""),
                    source=str(meta.get("source") or ""),
                    schema=meta.get("schema"),
                    profile=meta.get("profile"),
                )
            except (MissingMeta, MalformedRecord, KeyError, InvalidParameter) as exc:
                _logger.warning("Cannot read dataset %s of %s: %s", dataset_id, experiment_folder, exc)
        return cache[key]

    def _link_metas(self, record, kind):
        """The meta.yaml of every record in a run's inputs/ or outputs/ folder."""
        folder = os.path.join(record.path, kind)
        if not self._safe_folder(folder):
            return
        try:
            names = sorted(os.listdir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for name in names:
            if name.startswith("."):
                continue
            try:
                yield self._load_meta(self._checked(folder, name))
            except (MissingMeta, MalformedRecord, InvalidParameter) as exc:
                _logger.warning("Skipping %s/%s of run %s: %s", kind, name, record.info.run_id, exc)

    def _read_inputs(self, record, dataset_cache):
        """(dataset inputs, model inputs) of a run."""
        datasets, models = [], []
        for meta in self._link_metas(record, INPUTS):
            source_type, source_id = meta.get("source_type"), str(meta.get("source_id"))
            if source_type == "DATASET":
                if not FOLDER_ID.match(source_id):
                    continue
                dataset = self._read_dataset(record.experiment_path, source_id, dataset_cache)
                if dataset is not None:
                    tags = meta.get("tags") if isinstance(meta.get("tags"), dict) else {}
                    datasets.append(DatasetInput(dataset, {str(k): str(v) for k, v in tags.items()}))
            elif source_type == "MODEL":
                models.append({"model_id": source_id})
        return datasets, models

    def _read_outputs(self, record):
        return [
            {"model_id": str(meta.get("destination_id")), "step": int(meta.get("step") or 0)}
            for meta in self._link_metas(record, OUTPUTS)
            if meta.get("destination_type") == "MODEL_OUTPUT"
        ]

    def log_batch(self, run_id, metrics=(), params=(), tags=()):
        validation.validate_run_id(run_id)
        metrics, params, tags = list(metrics or ()), list(params or ()), list(tags or ())
        validation.validate_batch_size(metrics, params, tags)
        metric_rows = []
        for metric in metrics:
            value, timestamp, step = validation.validate_metric(metric.key, metric.value, metric.timestamp, metric.step)
            metric_rows.append((metric, value, timestamp, step))
        param_values = {}
        for param in params:
            text = validation.validate_param(param.key, param.value)
            if param.key in param_values:
                raise InvalidParameter(
                    f"Duplicate parameter keys have been submitted: ['{param.key}']. "
                    "Please ensure the request contains only one param value per param key."
                )
            param_values[param.key] = text
        tag_values = [(tag.key, validation.validate_tag(tag.key, tag.value)) for tag in tags]
        record = self._active_run(run_id)
        # Check every param before writing anything, so a conflict leaves the run untouched.
        params_folder = os.path.join(record.path, PARAMS)
        existing = self._read_key_files(params_folder, list(param_values))
        for key, text in param_values.items():
            if key in existing and existing[key] != text:
                raise InvalidParameter(
                    f"Changing param values is not allowed. Param with key='{key}' was already logged with "
                    f"value='{existing[key]}' for run ID='{record.info.run_id}'. Attempted logging new value '{text}'."
                )
        for key, text in param_values.items():
            if key not in existing:
                self._write_atomic(self._checked(record.path, f"{PARAMS}/{key}"), text)
        self._append_metrics(record, metric_rows)
        new_name = None
        for key, text in tag_values:
            self._write_atomic(self._checked(record.path, f"{TAGS}/{key}"), text)
            if key == RUN_NAME_TAG:
                new_name = text
        if new_name is not None and new_name != record.info.run_name:
            self._rewrite_run_meta(record, run_name=new_name)

    def _append_metrics(self, record, rows):
        lines_by_key = {}
        model_lines = {}
        for metric, value, timestamp, step in rows:
            suffix = ""
            name, digest = getattr(metric, "dataset_name", None), getattr(metric, "dataset_digest", None)
            if name is not None and digest is not None:
                if any(ch.isspace() for ch in f"{name}{digest}") or not name or not digest:
                    _logger.warning(
                        "Metric %r: dataset name/digest with spaces cannot be recorded in the file store; "
                        "the value is logged without them", metric.key
                    )
                else:
                    suffix = f" {name} {digest}"
            lines_by_key.setdefault(metric.key, []).append(f"{timestamp} {value!r} {step}{suffix}\n")
            model_id = getattr(metric, "model_id", None)
            if model_id:
                line = f"{timestamp} {value!r} {step} {record.info.run_id}{suffix}\n"
                model_lines.setdefault((str(model_id), metric.key), []).append(line)
        for key, lines in lines_by_key.items():
            self._append_lines(self._checked(record.path, f"{METRICS}/{key}"), lines)
        for (model_id, key), lines in model_lines.items():
            # A logged model kept in this experiment records the metrics logged against it too.
            if not FOLDER_ID.match(model_id):
                continue
            model_folder = os.path.join(record.experiment_path, REGISTRY_FOLDER, model_id)
            if os.path.isdir(model_folder) and self._inside_root(model_folder):
                self._append_lines(self._checked(model_folder, f"{METRICS}/{key}"), lines)

    @staticmethod
    def _append_lines(path, lines):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = "".join(lines).encode("utf-8")
        # Unbuffered O_APPEND writes of whole lines: concurrent appenders never interleave inside a line.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def delete_tag(self, run_id, key):
        validation.validate_key(key, "tag name")
        record = self._active_run(run_id)
        path = self._checked(record.path, f"{TAGS}/{key}")
        if not os.path.isfile(path):
            raise NotFound(f"No tag with name: {key} in run with id {record.info.run_id}")
        os.remove(path)

    def get_metric_history(self, run_id, metric_key, max_results=None, page_token=None):
        validation.validate_key(metric_key, "metric name")
        record = self._find_run(run_id)
        offset = paging.decode_token(page_token)
        path = self._checked(record.path, f"{METRICS}/{metric_key}")
        try:
            data = self._read_bytes(path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return PagedList([], None)
        history = []
        for line in data.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            parsed = _parse_metric_line(line)
            if parsed is None:
                _logger.warning("Ignoring malformed line %r in metric file %s", line[:80], path)
                continue
            history.append(self._metric_from(metric_key, parsed, record.info.run_id))
        history.sort(key=_metric_order)
        if max_results is None:
            return PagedList(history[offset:], None)
        return paging.paginate(history, max_results, page_token)

    def log_inputs(self, run_id, datasets=None, models=None):
        record = self._active_run(run_id)
        prepared = []
        for dataset_input in datasets or ():
            dataset = dataset_input.dataset
            for field_name in ("name", "digest"):
                value = getattr(dataset, field_name)
                if not isinstance(value, str) or not value:
                    raise InvalidParameter(f"Dataset {field_name} must be a non-empty string, got {value!r}")
            tags = {}
            for key, value in key_value_pairs(dataset_input.tags, "input tag"):
                tags[validation.validate_key(key, "input tag name")] = "" if value is None else str(value)
            prepared.append((dataset, tags))
        model_ids = [
            validation.validate_generic_id(m.get("model_id") if isinstance(m, dict) else m.model_id, "model id")
            for m in models or ()
        ]
        for dataset, tags in prepared:
            dataset_id = _dataset_id_for(dataset.name, dataset.digest)
            dataset_folder = self._checked(record.experiment_path, f"{DATASETS}/{dataset_id}")
            if not os.path.exists(os.path.join(dataset_folder, META)):
                self._write_meta(
                    dataset_folder,
                    {
                        "digest": dataset.digest,
                        "name": dataset.name,
                        "profile": dataset.profile,
                        "schema": dataset.schema,
                        "source": dataset.source,
                        "source_type": dataset.source_type,
                    },
                )
            # MLflow records the dataset id as destination_id too; we write what it writes.
            self._write_input(record, _md5_hex(dataset_id, record.info.run_id), dataset_id, "DATASET", tags)
        for model_id in model_ids:
            self._write_input(record, _md5_hex(model_id, record.info.run_id), model_id, "MODEL", {})

    def _write_input(self, record, input_id, source_id, source_type, tags):
        folder = self._checked(record.path, f"{INPUTS}/{input_id}")
        if os.path.exists(os.path.join(folder, META)):
            return  # logged before: MLflow keeps the first record
        meta = {
            "destination_id": source_id,
            "destination_type": "RUN",
            "source_id": source_id,
            "source_type": source_type,
            "tags": tags,
        }
        self._write_meta(folder, meta)

    def log_outputs(self, run_id, models):
        record = self._active_run(run_id)
        outputs = []
        for model in models or ():
            model_id = model.get("model_id") if isinstance(model, dict) else model.model_id
            step = model.get("step") if isinstance(model, dict) else getattr(model, "step", 0)
            try:
                step = int(step or 0)
            except (TypeError, ValueError):
                raise InvalidParameter(f"Invalid step {step!r} for model output: expected an integer") from None
            outputs.append((validation.validate_generic_id(model_id, "model id"), step))
        for model_id, step in outputs:
            folder = self._checked(record.path, f"{OUTPUTS}/{model_id}")
            if os.path.exists(os.path.join(folder, META)):
                continue
            meta = {
                "destination_id": model_id,
                "destination_type": "MODEL_OUTPUT",
                "source_id": model_id,
                "source_type": "RUN_OUTPUT",
                "step": step,
                "tags": {},
            }
            self._write_meta(folder, meta)
