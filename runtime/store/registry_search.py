"""Search filters and orderings for registered models, model versions and logged models.

Parsing reuses the run/experiment filter grammar (runtime.search.filter) with a
vocabulary per kind of object; the file stores evaluate the result in memory
here, the SQL stores translate the same Comparison/OrderKey tuples.

Registry-specific rules (MLflow's):
- a tag comparison with '!=' also matches objects that lack the tag, which is how
  clients exclude prompts (``tag.`mlflow.prompt.is_prompt` != 'true'``);
- registered model searches hide prompts unless the filter names the prompt tag;
- logged model order_by is a list of {field_name, ascending, dataset_name,
  dataset_digest}; a metric sorts by its latest point on the given dataset, and
  models without it come last in either direction.
"""

from runtime.errors import InvalidParameter
from runtime.search import evaluate
from runtime.search.filter import (
    ATTRIBUTE,
    METRIC,
    PARAM,
    TAG,
    Comparison,
    OrderKey,
    _parse_filter,
    _parse_order_by,
    _Vocabulary,
)

PROMPT_TAG = "mlflow.prompt.is_prompt"

REGISTERED_MODELS = _Vocabulary(
    subject="registered model",
    filter_entities=(TAG, ATTRIBUTE),
    order_entities=(ATTRIBUTE,),
    string_attributes=("name",),
    numeric_attributes=("creation_timestamp", "last_updated_timestamp"),
    attribute_aliases=(("timestamp", "last_updated_timestamp"),),
    null_entities=(TAG,),
    restricted_ops=(),
)

MODEL_VERSIONS = _Vocabulary(
    subject="model version",
    filter_entities=(TAG, ATTRIBUTE),
    order_entities=(ATTRIBUTE,),
    string_attributes=("name", "run_id", "source_path", "current_stage"),
    numeric_attributes=("version_number", "creation_timestamp", "last_updated_timestamp"),
    attribute_aliases=(("timestamp", "last_updated_timestamp"), ("source", "source_path")),
    null_entities=(TAG,),
    restricted_ops=(),
)

LOGGED_MODELS = _Vocabulary(
    subject="logged model",
    filter_entities=(METRIC, PARAM, TAG, ATTRIBUTE),
    order_entities=(METRIC, ATTRIBUTE),
    string_attributes=("model_id", "name", "model_type", "status", "source_run_id"),
    numeric_attributes=("creation_timestamp", "last_updated_timestamp"),
    attribute_aliases=(("creation_time", "creation_timestamp"), ("last_updated_time", "last_updated_timestamp")),
    null_entities=(PARAM, TAG),
    restricted_ops=(),
)

REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100
REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000
MODEL_VERSION_MAX_RESULTS_DEFAULT = 10_000
MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000
LOGGED_MODEL_MAX_RESULTS_DEFAULT = 100
LOGGED_MODEL_MAX_RESULTS_THRESHOLD = 50_000


# ---- parsing ----------------------------------------------------------------------------------
def parse_registered_model_filter(text):
    """Comparisons of a registered model search, with the prompt exclusion MLflow adds."""
    comparisons = _parse_filter(text, REGISTERED_MODELS)
    if not any(c.entity == TAG and c.key == PROMPT_TAG for c in comparisons):
        comparisons += (Comparison(TAG, PROMPT_TAG, "!=", "true"),)
    return comparisons


def parse_model_version_filter(text):
    return _parse_filter(text, MODEL_VERSIONS)


def parse_logged_model_filter(text):
    comparisons = _parse_filter(text, LOGGED_MODELS)
    return tuple(_normalise_status(c) for c in comparisons)


def _normalise_status(comparison):
    """status = 'LOGGED_MODEL_READY' means the same as status = 'READY'."""
    if comparison.entity != ATTRIBUTE or comparison.key != "status" or comparison.op not in ("=", "!="):
        return comparison
    from runtime.registry_entities import LoggedModelStatus

    try:
        value = LoggedModelStatus.parse(comparison.value)
    except InvalidParameter:
        return comparison
    return Comparison(ATTRIBUTE, "status", comparison.op, value)


def registered_model_order(clauses):
    """Parsed order_by plus MLflow's tie-break: name ASC."""
    keys = list(_parse_order_by(clauses, REGISTERED_MODELS))
    if not any(k.key == "name" for k in keys):
        keys.append(OrderKey(ATTRIBUTE, "name", True))
    return tuple(keys)


def model_version_order(clauses):
    """Parsed order_by (default last_updated_timestamp DESC), then name ASC, version_number DESC."""
    keys = list(_parse_order_by(clauses, MODEL_VERSIONS)) or [OrderKey(ATTRIBUTE, "last_updated_timestamp", False)]
    names = {k.key for k in keys}
    if "name" not in names:
        keys.append(OrderKey(ATTRIBUTE, "name", True))
    if "version_number" not in names:
        keys.append(OrderKey(ATTRIBUTE, "version_number", False))
    return tuple(keys)


class LoggedModelOrder:
    """One logged-model order clause: an attribute, or a metric on an optional dataset."""

    def __init__(self, entity, key, ascending, dataset_name=None, dataset_digest=None):
        self.entity = entity
        self.key = key
        self.ascending = ascending
        self.dataset_name = dataset_name or None
        self.dataset_digest = dataset_digest or None


_LOGGED_MODEL_ORDER_FIELDS = {
    "model_id": "model_id",
    "name": "name",
    "model_type": "model_type",
    "status": "status",
    "source_run_id": "source_run_id",
    "experiment_id": "experiment_id",
    "creation_timestamp": "creation_timestamp",
    "creation_time": "creation_timestamp",
    "last_updated_timestamp": "last_updated_timestamp",
    "last_updated_time": "last_updated_timestamp",
}


def logged_model_order(order_by):
    """order_by dicts -> [LoggedModelOrder] ending with creation_timestamp DESC, model_id ASC."""
    if order_by is None:
        order_by = []
    if not isinstance(order_by, (list, tuple)):
        raise InvalidParameter("`order_by` must be a list of dictionaries.")
    keys = []
    for clause in order_by:
        if not isinstance(clause, dict):
            raise InvalidParameter("`order_by` must be a list of dictionaries.")
        field_name = clause.get("field_name")
        if not field_name:
            raise InvalidParameter("`field_name` in the `order_by` clause must be specified.")
        ascending = clause.get("ascending", True)
        if not isinstance(ascending, bool):
            raise InvalidParameter(f"`ascending` in the `order_by` clause must be a boolean, got {ascending!r}")
        if "." in field_name:
            entity, _, key = field_name.partition(".")
            if entity not in ("metric", "metrics") or not key:
                raise InvalidParameter(
                    f"Invalid order by field name: {field_name}. Only metrics are supported."
                )
            keys.append(LoggedModelOrder(METRIC, key.strip("`"), ascending,
                                         clause.get("dataset_name"), clause.get("dataset_digest")))
            continue
        attribute = _LOGGED_MODEL_ORDER_FIELDS.get(field_name)
        if attribute is None:
            raise InvalidParameter(f"Invalid order by field name: {field_name}")
        keys.append(LoggedModelOrder(ATTRIBUTE, attribute, ascending))
    names = {k.key for k in keys if k.entity == ATTRIBUTE}
    if "creation_timestamp" not in names:
        keys.append(LoggedModelOrder(ATTRIBUTE, "creation_timestamp", False))
    if "model_id" not in names:
        keys.append(LoggedModelOrder(ATTRIBUTE, "model_id", True))
    return keys


def check_dataset_filters(datasets):
    """The `datasets` clause of a logged model search: each needs a dataset_name."""
    for dataset in datasets or []:
        if not isinstance(dataset, dict) or not dataset.get("dataset_name"):
            raise InvalidParameter("`dataset_name` in the `datasets` clause must be specified.")
    return list(datasets or [])


# ---- in-memory evaluation (file stores) ---------------------------------------------------------
def _holds_registry(actual, comparison):
    if comparison.entity == TAG and comparison.op == "!=" and actual is None:
        return True
    return evaluate._holds(actual, comparison)


def _registered_model_value(model, entity, key):
    if entity == TAG:
        return model.tags.get(key)
    return getattr(model, key, None)


def registered_model_matches(model, comparisons):
    return all(_holds_registry(_registered_model_value(model, c.entity, c.key), c) for c in comparisons)


def _model_version_value(version, entity, key):
    if entity == TAG:
        return version.tags.get(key)
    if key == "version_number":
        return int(version.version)
    if key == "source_path":
        return version.source
    return getattr(version, key, None)


def model_version_matches(version, comparisons):
    def holds(c):
        value = _model_version_value(version, c.entity, c.key)
        if c.key == "version_number" and c.entity == ATTRIBUTE:
            value = float(value)
        return _holds_registry(value, c)

    return all(holds(c) for c in comparisons)


def _plain(_order_key):
    return lambda value: value


def sort_registered_models(models, order_keys):
    return evaluate._sort(models, order_keys, _registered_model_value, _plain)


def sort_model_versions(versions, order_keys):
    return evaluate._sort(versions, order_keys, _model_version_value, _plain)


def metric_points(model, key, dataset_name=None, dataset_digest=None):
    """The model's points for one metric, optionally on one dataset (name and/or digest)."""
    return [
        m for m in model.metrics
        if m.key == key
        and (dataset_name is None or m.dataset_name == dataset_name)
        and (dataset_digest is None or m.dataset_digest == dataset_digest)
    ]


def latest_metric_value(model, key, dataset_name=None, dataset_digest=None):
    points = metric_points(model, key, dataset_name, dataset_digest)
    if not points:
        return None
    return float(max(points, key=lambda m: (m.timestamp, m.step)).value)


def _dataset_match(metric, datasets):
    return any(
        metric.dataset_name == d["dataset_name"]
        and ("dataset_digest" not in d or not d["dataset_digest"] or metric.dataset_digest == d["dataset_digest"])
        for d in datasets
    )


def logged_model_matches(model, comparisons, datasets=()):
    """All comparisons hold; a metric comparison holds when any matching point satisfies it."""
    for c in comparisons:
        if c.entity == METRIC:
            points = [m for m in model.metrics if m.key == c.key and (not datasets or _dataset_match(m, datasets))]
            if not any(evaluate._holds(float(m.value), c) for m in points):
                return False
        elif c.entity == PARAM:
            if not evaluate._holds(model.params.get(c.key), c):
                return False
        elif c.entity == TAG:
            if not evaluate._holds(model.tags.get(c.key), c):
                return False
        elif not evaluate._holds(getattr(model, c.key, None), c):
            return False
    if datasets and not any(c.entity == METRIC for c in comparisons):
        return any(_dataset_match(m, datasets) for m in model.metrics)
    return True


def sort_logged_models(models, order_keys):
    """Sort by LoggedModelOrder keys (least significant first; the sort is stable)."""
    result = list(models)
    for k in reversed(order_keys):
        if k.entity == METRIC:
            def value_of(model, k=k):
                return latest_metric_value(model, k.key, k.dataset_name, k.dataset_digest)
        else:
            def value_of(model, k=k):
                return getattr(model, k.key, None)
        result = evaluate._sort_by(result, value_of, k.ascending)
    return result
