"""Evaluate parsed search filters and orderings in memory (the file store's search).

Semantics shared with the SQL store:
- a comparison on a metric/param/tag/attribute the object lacks is False, for '!=' too;
- numbers compare as IEEE floats (NaN only satisfies '!=');
- LIKE is case-sensitive, ILIKE is not; '%' and '_' are wildcards, a backslash makes
  the next character literal;
- a dataset comparison holds when any of the run's dataset inputs satisfies it;
- in a sort, values sort first, then NaN, then missing values, in either direction.
"""

import functools
import math
import re

from runtime.search.filter import (
    ATTRIBUTE,
    DATASET,
    METRIC,
    PARAM,
    TAG,
    complete_experiment_order,
    complete_run_order,
)

# The input tag that records a dataset's role (train/eval/...), as MLflow names it.
DATASET_CONTEXT_TAG = "mlflow.data.context"


@functools.lru_cache(maxsize=256)
def like_to_regex(pattern, case_insensitive=False):
    """Compile a SQL LIKE pattern into an anchored regex that matches the whole string."""
    parts = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
        i += 1
    flags = re.DOTALL | (re.IGNORECASE if case_insensitive else 0)
    return re.compile("^" + "".join(parts) + r"\Z", flags)


_COMPARE = {
    "=": lambda left, right: left == right,
    "!=": lambda left, right: left != right,
    "<": lambda left, right: left < right,
    "<=": lambda left, right: left <= right,
    ">": lambda left, right: left > right,
    ">=": lambda left, right: left >= right,
    "LIKE": lambda left, right: like_to_regex(right, False).match(left) is not None,
    "ILIKE": lambda left, right: like_to_regex(right, True).match(left) is not None,
    "IN": lambda left, right: left in right,
    "NOT IN": lambda left, right: left not in right,
}


def _holds(actual, comparison):
    """Apply one comparison to the value found on the object (None when it is missing)."""
    if comparison.op == "IS NULL":
        return actual is None
    if comparison.op == "IS NOT NULL":
        return actual is not None
    if actual is None:
        return False
    return _COMPARE[comparison.op](actual, comparison.value)


def _run_value(run, entity, key):
    """The value a filter or a sort sees for (entity, key) on a run; None when missing."""
    if entity == METRIC:
        metric = run.metrics.get(key)
        return None if metric is None else float(metric.value)
    if entity == PARAM:
        return run.params.get(key)
    if entity == TAG:
        return run.tags.get(key)
    if entity == ATTRIBUTE:
        return getattr(run.info, key, None)
    raise ValueError(f"no single value for entity {entity!r}")


def _dataset_values(run, key):
    for dataset_input in run.dataset_inputs:
        if key == "context":
            if DATASET_CONTEXT_TAG in dataset_input.tags:
                yield dataset_input.tags[DATASET_CONTEXT_TAG]
        else:
            yield getattr(dataset_input.dataset, key)


def run_matches(run, comparisons):
    """True when the run satisfies every comparison (an empty filter matches everything)."""
    for comparison in comparisons:
        if comparison.entity == DATASET:
            if not any(_holds(v, comparison) for v in _dataset_values(run, comparison.key)):
                return False
        elif not _holds(_run_value(run, comparison.entity, comparison.key), comparison):
            return False
    return True


def _experiment_value(experiment, entity, key):
    if entity == TAG:
        return experiment.tags.get(key)
    return getattr(experiment, key, None)


def experiment_matches(experiment, comparisons):
    """True when the experiment satisfies every comparison."""
    return all(_holds(_experiment_value(experiment, c.entity, c.key), c) for c in comparisons)


def _sort_by(items, value_of, ascending, sort_key=lambda value: value):
    """Stable sort on one key: present values in order, then NaN, then missing values."""
    present, nans, missing = [], [], []
    for item in items:
        value = value_of(item)
        if value is None:
            missing.append(item)
        elif isinstance(value, float) and math.isnan(value):
            nans.append(item)
        else:
            present.append((sort_key(value), item))
    # Python keeps equal elements in their original order with reverse=True too.
    present.sort(key=lambda pair: pair[0], reverse=not ascending)
    return [item for _, item in present] + nans + missing


def _sort(items, order_keys, value_of, sort_key_for):
    # Apply the least significant key first; stability preserves the earlier passes.
    result = list(items)
    for order_key in reversed(order_keys):
        result = _sort_by(
            result,
            lambda item, k=order_key: value_of(item, k.entity, k.key),
            order_key.ascending,
            sort_key_for(order_key),
        )
    return result


def sort_runs(runs, order_keys):
    """Sort runs by the parsed order_by keys plus the default start_time DESC, run_id ASC."""
    return _sort(runs, complete_run_order(order_keys), _run_value, lambda key: lambda value: value)


def experiment_id_sort_key(experiment_id):
    """Numeric ids compare as numbers (as SQL stores do); others after them, as text."""
    text = str(experiment_id)
    return (0, int(text), "") if text.isascii() and text.isdigit() else (1, 0, text)


def sort_experiments(experiments, order_keys):
    """Sort experiments by the parsed order_by keys (default creation_time DESC, experiment_id ASC)."""

    def sort_key_for(order_key):
        if order_key.entity == ATTRIBUTE and order_key.key == "experiment_id":
            return experiment_id_sort_key
        return lambda value: value

    return _sort(experiments, complete_experiment_order(order_keys), _experiment_value, sort_key_for)
