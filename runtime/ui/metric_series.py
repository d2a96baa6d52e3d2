"""Metric histories for charts: down-sampled on the server, keeping every bucket's min and max.

A series longer than the target is cut into buckets of equal point count; each bucket keeps its
first, lowest, highest and last point, so spikes survive and the line's shape is exact at the
bucket edges. Zooming asks again for a range, which then comes at full resolution when it fits.
"""

DEFAULT_POINTS = 1000
MAX_POINTS = 20000


def pick_indices(values, target):
    """Indices (ascending) of the points to keep out of values, about target of them."""
    count = len(values)
    if count <= target:
        return list(range(count))
    buckets = max(1, target // 4)
    size = count / buckets
    keep = []
    for bucket in range(buckets):
        start, end = int(bucket * size), min(count, int((bucket + 1) * size))
        if start >= end:
            continue
        low = high = start
        for index in range(start, end):
            value = values[index]
            if value < values[low]:
                low = index
            if value > values[high]:
                high = index
        keep.extend(sorted({start, low, high, end - 1}))
    return keep


def series(history, target=DEFAULT_POINTS, axis="step", low=None, high=None):
    """{"step", "time", "value", "total", "in_range"} of a metric history, down-sampled to about target."""
    points = list(history)
    total = len(points)
    if low is not None or high is not None:
        def position(metric):
            return metric.step if axis == "step" else metric.timestamp

        points = [m for m in points if (low is None or position(m) >= low) and (high is None or position(m) <= high)]
    values = [m.value for m in points]
    # NaN compares false both ways, so it never becomes a bucket's min or max; it is kept when at an edge.
    keep = pick_indices(values, target)
    return {
        "step": [points[i].step for i in keep],
        "time": [points[i].timestamp for i in keep],
        "value": [json_value(values[i]) for i in keep],
        "total": total,
        "in_range": len(points),
    }


def json_value(value):
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def summary(history):
    """(min, max, count) of a metric history, ignoring NaN."""
    values = [m.value for m in history if m.value == m.value]
    if not values:
        return None, None, len(history)
    return min(values), max(values), len(history)
