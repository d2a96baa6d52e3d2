"""Validation of every id, name, key and path that reaches us from a user or a client.

One module so that the CLI, the stores and the server refuse exactly the same
input with the same message. Limits are MLflow's.
"""

import functools
import json
import math
import posixpath
import re
from urllib.parse import unquote

from runtime.errors import InvalidParameter

MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000
MAX_ENTITY_KEY_LENGTH = 250
MAX_EXPERIMENT_NAME_LENGTH = 500
MAX_RUN_NAME_LENGTH = 250
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000

# Keys: letters, digits, underscore, dash, period, space, colon and slash (MLflow's set).
_KEY_RE = re.compile(r"^[\w\-. :/]+$")
# Ids name folders in the file store, so they may never carry separators or dots.
_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,256}$")
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,256}$")


def _fail(message):
    raise InvalidParameter(message)


def _has_control(text):
    return "\x00" in text


# Timestamps and steps are 64-bit integers in every store (and in MLflow's protocol).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _has_lone_surrogate(text):
    # A lone UTF-16 surrogate ("\ud800") is not text: no store can write it and MLflow cannot read it back.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def validate_text(text, what):
    """Refuse a string value that no store can hold as UTF-8."""
    if isinstance(text, str) and _has_lone_surrogate(text):
        _fail(f"Invalid {what}: it contains a lone UTF-16 surrogate, which is not valid Unicode text")
    return text


def validate_int64(value, what):
    if not INT64_MIN <= value <= INT64_MAX:
        _fail(f"Invalid {what} {value}: outside the 64-bit integer range [{INT64_MIN}, {INT64_MAX}]")
    return value


def validate_experiment_id(experiment_id):
    if experiment_id is None:
        _fail("Missing value for experiment id")
    text = str(experiment_id)
    if not _ID_RE.match(text):
        _fail(f"Invalid experiment id {text!r}: use letters, digits, '_' or '-' only")
    return text


def validate_run_id(run_id):
    if run_id is None:
        _fail("Missing value for run id")
    text = str(run_id)
    if not _RUN_ID_RE.match(text):
        _fail(f"Invalid run id {text!r}: use letters, digits, '_' or '-' only")
    return text


def validate_generic_id(value, what):
    text = str(value) if value is not None else ""
    if not _ID_RE.match(text):
        _fail(f"Invalid {what} {text!r}: use letters, digits, '_' or '-' only")
    return text


def _reject_path_escape(text, what):
    """Refuse keys that could act as paths outside their folder."""
    if text.startswith(("/", "\\")) or ("." in text and any(part in ("..", ".") for part in re.split(r"[/\\]", text))):
        _fail(f"Invalid {what} {text!r}: it may not be an absolute path or contain '.' or '..' segments")


@functools.lru_cache(maxsize=4096)
def _is_good_key(key):
    """Whether a key passes every check; remembered, since a batch repeats a few keys many times."""
    try:
        _check_key(key, "key")
    except InvalidParameter:
        return False
    return True


def validate_key(key, what="key"):
    if type(key) is str and _is_good_key(key):
        return key
    _check_key(key, what)
    return key


def _check_key(key, what):
    if key is None or key == "":
        _fail(f"Missing value for {what}")
    if not isinstance(key, str):
        _fail(f"Invalid {what} {key!r}: must be a string")
    if len(key) > MAX_ENTITY_KEY_LENGTH:
        _fail(f"Invalid {what} {key[:40]!r}...: longer than {MAX_ENTITY_KEY_LENGTH} characters")
    if _has_control(key) or not _KEY_RE.match(key):
        _fail(
            f"Invalid {what} {key!r}: names may only contain alphanumerics, underscores (_), "
            "dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)"
        )
    _reject_path_escape(key, what)
    if key.endswith("/") or "//" in key:
        _fail(f"Invalid {what} {key!r}: empty path segment")


def validate_param(key, value):
    validate_key(key, "param name")
    text = validate_text("" if value is None else str(value), f"param value for {key!r}")
    if len(text) > MAX_PARAM_VALUE_LENGTH:
        _fail(
            f"Param value for {key!r} had length {len(text)}, which exceeded length limit of "
            f"{MAX_PARAM_VALUE_LENGTH}"
        )
    return text


def validate_tag(key, value, limit=MAX_TAG_VALUE_LENGTH):
    validate_key(key, "tag name")
    text = validate_text("" if value is None else str(value), f"tag value for {key!r}")
    if len(text) > limit:
        _fail(f"Tag value for {key!r} had length {len(text)}, which exceeded length limit of {limit}")
    return text


def validate_metric(key, value, timestamp, step):
    validate_key(key, "metric name")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            _fail(f"Got invalid value {value!r} for metric {key!r}: expected a number")
    if timestamp is None or isinstance(timestamp, bool) or not isinstance(timestamp, int):
        try:
            timestamp = int(timestamp)
        except (TypeError, ValueError, OverflowError):
            _fail(f"Got invalid timestamp {timestamp!r} for metric {key!r}: expected an integer")
    try:
        step = int(step or 0)
    except (TypeError, ValueError, OverflowError):
        _fail(f"Got invalid step {step!r} for metric {key!r}: expected an integer")
    validate_int64(timestamp, f"timestamp for metric {key!r}")
    validate_int64(step, f"step for metric {key!r}")
    return float(value), timestamp, step


def validate_batch_size(metrics, params, tags):
    if len(metrics) > MAX_METRICS_PER_BATCH:
        _fail(f"A batch logging request can contain at most {MAX_METRICS_PER_BATCH} metrics. Got {len(metrics)} metrics.")
    if len(params) > MAX_PARAMS_TAGS_PER_BATCH:
        _fail(f"A batch logging request can contain at most {MAX_PARAMS_TAGS_PER_BATCH} params. Got {len(params)} params.")
    if len(tags) > MAX_PARAMS_TAGS_PER_BATCH:
        _fail(f"A batch logging request can contain at most {MAX_PARAMS_TAGS_PER_BATCH} tags. Got {len(tags)} tags.")
    total = len(metrics) + len(params) + len(tags)
    if total > MAX_ENTITIES_PER_BATCH:
        _fail(f"A batch logging request can contain at most {MAX_ENTITIES_PER_BATCH} entities in total. Got {total}.")


def validate_experiment_name(name):
    if name is None or not isinstance(name, str) or name.strip() == "":
        _fail("Invalid experiment name: it must be a non-empty string")
    if len(name) > MAX_EXPERIMENT_NAME_LENGTH:
        _fail(f"Invalid experiment name: longer than {MAX_EXPERIMENT_NAME_LENGTH} characters")
    if _has_control(name):
        _fail("Invalid experiment name: it contains a NUL character")
    return validate_text(name, "experiment name")


def validate_run_name(name):
    if name is None:
        return name
    if not isinstance(name, str):
        _fail(f"Invalid run name {name!r}: must be a string")
    if len(name) > MAX_RUN_NAME_LENGTH:
        _fail(f"Invalid run name: longer than {MAX_RUN_NAME_LENGTH} characters")
    if _has_control(name):
        _fail("Invalid run name: it contains a NUL character")
    return validate_text(name, "run name")


def _fully_unquote(text, rounds=4):
    """Decode %-escapes repeatedly so double-encoded '..' cannot slip through."""
    for _ in range(rounds):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def validate_artifact_path(path, allow_empty=True):
    """A relative artifact path: no '..', no absolute form, no NUL, in any encoding.

    Returns the normalised posix path ('' for the root).
    """
    if path is None or path == "":
        if allow_empty:
            return ""
        _fail("Missing artifact path")
    if not isinstance(path, str):
        _fail(f"Invalid path {path!r}")
    decoded = _fully_unquote(path)
    for candidate in (path, decoded):
        if "\x00" in candidate:
            _fail(f"Invalid path {path!r}: contains a NUL character")
        if candidate.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", candidate):
            _fail(f"Invalid path {path!r}: absolute paths are not allowed")
        segments = re.split(r"[/\\]", candidate)
        if ".." in segments:
            _fail(f"Invalid path {path!r}: '..' is not allowed")
    if any(ch in path for ch in "\\"):
        _fail(f"Invalid path {path!r}: backslashes are not allowed")
    normalised = posixpath.normpath(path)
    if normalised in (".", ""):
        return ""
    _check_path_fits_a_file_system(validate_text(path, "path"), normalised)
    return normalised


# Linux's NAME_MAX per segment; depth and length well inside PATH_MAX once under an artifact root.
MAX_PATH_SEGMENT_BYTES = 255
MAX_ARTIFACT_PATH_BYTES = 2048
MAX_ARTIFACT_PATH_DEPTH = 100


def _check_path_fits_a_file_system(path, normalised):
    segments = normalised.split("/")
    if len(segments) > MAX_ARTIFACT_PATH_DEPTH:
        _fail(f"Invalid path: {len(segments)} levels deep, more than the limit of {MAX_ARTIFACT_PATH_DEPTH}")
    if len(normalised.encode("utf-8")) > MAX_ARTIFACT_PATH_BYTES:
        _fail(f"Invalid path {path[:40]!r}...: longer than {MAX_ARTIFACT_PATH_BYTES} bytes")
    for segment in segments:
        if len(segment.encode("utf-8")) > MAX_PATH_SEGMENT_BYTES:
            _fail(f"Invalid path: the name {segment[:40]!r}... is longer than {MAX_PATH_SEGMENT_BYTES} bytes")


def validate_artifact_location(location, what="artifact location"):
    """A client-chosen artifact location (URI or path): no NUL, raw or %-encoded, and valid text."""
    if location is None or location == "":
        return location
    if not isinstance(location, str):
        _fail(f"Invalid {what} {location!r}: must be a string")
    if "\x00" in location or "\x00" in _fully_unquote(location):
        _fail(f"Invalid {what}: it contains a NUL character")
    return validate_text(location, what)


def validate_max_results(value, limit, what="max_results"):
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        _fail(f"Invalid value {json.dumps(value, default=str)} for {what}: expected an integer")
    if number <= 0 or number > limit:
        _fail(f"Invalid value {number} for parameter '{what}' supplied. It must be at most {limit}, and at least 1.")
    return number


def is_finite_number(value):
    return isinstance(value, (int, float)) and not math.isnan(value) and math.isfinite(value)


# ---- model registry and logged models ------------------------------------------------------
MAX_REGISTERED_MODEL_NAME_LENGTH = 256
MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 100_000
MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255
MAX_MODEL_DESCRIPTION_LENGTH = 100_000
_LOGGED_MODEL_ID_RE = re.compile(r"^m-[0-9a-f]{32}$")
# Logged model names end up in models:/ URIs and folder names (MLflow's forbidden set).
_LOGGED_MODEL_NAME_FORBIDDEN = "/:.%\"'"
_RESERVED_VERSION_ALIAS_RE = re.compile(r"^[vV]\d+$")


def validate_model_name(name):
    """A registered model name: it names a folder in the file registry, so no separators."""
    if name is None or not isinstance(name, str) or name.strip() == "":
        _fail("Missing value for parameter 'name'. See the API docs for more information about request parameters.")
    if len(name) > MAX_REGISTERED_MODEL_NAME_LENGTH:
        _fail(f"Invalid registered model name: longer than {MAX_REGISTERED_MODEL_NAME_LENGTH} characters")
    if _has_control(name) or any(ch in name for ch in "/\\:"):
        _fail(f"Invalid model name '{name}'. Names cannot contain '/', '\\' or ':'.")
    if "%" in name:
        _fail(f"Invalid name: '{name}'. Registered model name cannot contain '%' character")
    if name in (".", "..") or name != name.strip():
        _fail(f"Invalid name: '{name}'. Registered model name cannot be '.', '..' or start/end with whitespace")
    return validate_text(name, "registered model name")


def validate_model_version(version):
    """A model version number as the API carries it (string or int) -> canonical str."""
    text = str(version).strip() if version is not None else ""
    if not text.isdigit() or not text.isascii():
        _fail(f"Parameter 'version' must be an integer, got '{version}'.")
    return str(int(text))


def validate_model_alias(alias, for_write=False):
    """A registered model alias. 'latest' and 'v<digits>' are reserved for writes (MLflow's rule)."""
    validate_key(alias, "registered model alias name")
    if len(alias) > MAX_REGISTERED_MODEL_ALIAS_LENGTH:
        _fail(f"Invalid alias {alias[:40]!r}...: longer than {MAX_REGISTERED_MODEL_ALIAS_LENGTH} characters")
    if for_write:
        if alias.lower() == "latest":
            _fail("'latest' alias name (case insensitive) is reserved.")
        if _RESERVED_VERSION_ALIAS_RE.match(alias):
            _fail(f"Version alias name '{alias}' is reserved.")
    return alias


def validate_registry_tag(key, value):
    return validate_tag(key, value, MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH)


def validate_model_description(description):
    if description is None:
        return None
    if not isinstance(description, str):
        _fail(f"Invalid description {description!r}: must be a string")
    if len(description) > MAX_MODEL_DESCRIPTION_LENGTH:
        _fail(f"Invalid description: longer than {MAX_MODEL_DESCRIPTION_LENGTH} characters")
    return validate_text(description, "description")


def validate_logged_model_id(model_id):
    """Logged model ids are 'm-' + 32 hex digits; anything else cannot name a stored model."""
    if not isinstance(model_id, str) or not _LOGGED_MODEL_ID_RE.match(model_id):
        raise_not_found = isinstance(model_id, str) and _ID_RE.match(model_id or "")
        if raise_not_found:
            from runtime.errors import NotFound

            raise NotFound(f"Logged model with ID '{model_id}' not found.")
        _fail(f"Invalid logged model id {model_id!r}: expected 'm-' followed by 32 hex digits")
    return model_id


def validate_logged_model_name(name):
    if name is None:
        return None
    if not isinstance(name, str) or name == "" or any(ch in name for ch in _LOGGED_MODEL_NAME_FORBIDDEN) \
            or _has_control(name) or len(name) > MAX_ENTITY_KEY_LENGTH:
        _fail(
            f"Invalid model name ({name!r}) provided. Model name must be a non-empty string of at most "
            f"{MAX_ENTITY_KEY_LENGTH} characters without any of: / : . % \" '"
        )
    return validate_text(name, "model name")


# ---- traces, assessments and scorers (GenAI) -------------------------
MAX_TRACE_LINKS_PER_REQUEST = 100
_SCORER_NAME_RE = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_\-. ]{0,255}$")


def validate_trace_id(trace_id):
    """Trace ids ('tr-<32 hex>' from MLflow's client) name folders in the file store."""
    return validate_generic_id(trace_id, "trace id")


def validate_assessment_id(assessment_id):
    return validate_generic_id(assessment_id, "assessment id")


def validate_trace_tag(key, value):
    """Trace tags and metadata follow the rules of run tags."""
    return validate_tag(key, value)


def validate_scorer_name(name):
    """Scorer names are stored as folder names in the file store: no separators or leading dots."""
    if not isinstance(name, str) or not _SCORER_NAME_RE.match(name) or name != name.strip():
        _fail(f"Invalid scorer name {name!r}: use letters, digits, '_', '-', '.' or spaces (at most 256)")
    return name
