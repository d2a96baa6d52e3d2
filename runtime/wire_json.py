"""JSON text as MLflow's REST protocol carries it, shared by the server and the HTTP client.

Protobuf's JSON mapping writes non-finite doubles as the strings "NaN", "Infinity" and
"-Infinity"; plain json.dumps would write bare NaN, which strict parsers refuse.
"""

import json
import math


def wire_value(value):
    """value with every non-finite float replaced by protobuf's string for it."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: wire_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire_value(v) for v in value]
    return value


def dumps(payload):
    """Compact JSON text; non-finite floats become protobuf's strings."""
    try:
        return json.dumps(payload, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(wire_value(payload), allow_nan=False, separators=(",", ":"))
