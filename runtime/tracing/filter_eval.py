"""In-memory evaluation of the trace search AST (the file store's way; SQL translates instead)."""

from runtime.search.evaluate import like_to_regex
from runtime.tracing.entities import MetadataKey
from runtime.tracing.filter import ATTRIBUTE, METADATA, RUN, TAG, TEXT, complete_trace_order


def attribute_value(info, key):
    return {
        "trace_id": info.trace_id,
        "client_request_id": info.client_request_id,
        "state": info.state,
        "timestamp_ms": info.request_time,
        "execution_time_ms": info.execution_duration,
        "end_time_ms": info.end_time_ms,
        "experiment_id": info.experiment_id,
        "name": info.tags.get("mlflow.traceName"),
    }[key]


def _compare(actual, op, expected):
    if op == "=":
        return actual == expected
    if op == "!=":
        return actual != expected
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    if op == ">":
        return actual > expected
    if op == ">=":
        return actual >= expected
    if op == "LIKE":
        return like_to_regex(expected, False).match(actual) is not None
    if op == "ILIKE":
        return like_to_regex(expected, True).match(actual) is not None
    if op == "IN":
        return actual in expected
    if op == "NOT IN":
        return actual not in expected
    raise ValueError(op)


def _holds(mapping, comparison):
    present = comparison.key in mapping
    if comparison.op == "IS NULL":
        return not present
    if comparison.op == "IS NOT NULL":
        return present
    return present and _compare(mapping[comparison.key], comparison.op, comparison.value)


def run_ids_of(info, linked_run_ids=()):
    """Runs a trace belongs to: its source run (metadata) and the runs it was linked to."""
    runs = set(linked_run_ids)
    source = info.trace_metadata.get(MetadataKey.SOURCE_RUN)
    if source:
        runs.add(source)
    return runs


def _run_holds(runs, comparison):
    op, value = comparison.op, comparison.value
    if op in ("!=", "NOT IN"):
        # No run of the trace may match (a trace without runs qualifies).
        positive = "=" if op == "!=" else "IN"
        return not any(_compare(run, positive, value) for run in runs)
    return any(_compare(run, op, value) for run in runs)


def trace_matches(info, comparisons, linked_run_ids=(), span_contents=None):
    """True when the TraceInfo satisfies every comparison.

    span_contents() gives the JSON text of each of the trace's spans (read only for trace.text).
    """
    for comparison in comparisons:
        entity = comparison.entity
        if entity == TAG:
            ok = _holds(info.tags, comparison)
        elif entity == METADATA:
            ok = _holds(info.trace_metadata, comparison)
        elif entity == RUN:
            ok = _run_holds(run_ids_of(info, linked_run_ids), comparison)
        elif entity == TEXT:
            ok = any(_compare(text, comparison.op, comparison.value) for text in (span_contents or tuple)())
        elif entity == ATTRIBUTE:
            actual = attribute_value(info, comparison.key)
            ok = actual is not None and _compare(actual, comparison.op, comparison.value)
        else:
            raise ValueError(entity)
        if not ok:
            return False
    return True


def _experiment_order(value):
    return (0, int(value), "") if str(value).isascii() and str(value).isdigit() else (1, 0, str(value))


def sort_traces(infos, order_keys):
    """Sort TraceInfos; missing values go last in either direction; MLflow's tie-breakers apply."""
    items = list(infos)
    for order in reversed(complete_trace_order(order_keys)):
        present = [i for i in items if attribute_value(i, order.key) is not None]
        missing = [i for i in items if attribute_value(i, order.key) is None]
        if order.key == "experiment_id":
            key = lambda i: _experiment_order(i.experiment_id)  # noqa: E731 - numeric ids sort as numbers
        else:
            key = lambda i, name=order.key: attribute_value(i, name)  # noqa: E731
        present.sort(key=key, reverse=not order.ascending)
        items = present + missing
    return items
