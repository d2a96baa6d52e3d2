"""Decoding a client's JSON request body, refusing what would break the server instead of the request.

json.loads alone turns hostile bodies into server errors: deep nesting raises
RecursionError, and an integer of more than 4,300 digits raises ValueError.
Both become INVALID_PARAMETER_VALUE here, and nesting is bounded well below
Python's recursion limit so that nothing downstream (request parsing, stores,
response encoding) can recurse too deeply on a value the client sent.
"""

import json

from runtime.errors import InvalidParameter

# As deep as protobuf's JSON parser goes (its default recursion limit); real requests nest < 10.
MAX_JSON_DEPTH = 100


def _depth_exceeds(value, limit):
    """Whether value nests containers deeper than limit (iterative: no recursion on client data)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def decode_json(raw, what="request body"):
    """The value of JSON text raw (bytes or str); InvalidParameter for anything malformed or hostile."""
    try:
        value = json.loads(raw)
    except RecursionError:
        value = None
        too_deep = True
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidParameter(f"Invalid {what}: malformed JSON ({exc})") from None
    except ValueError as exc:  # integer literals beyond Python's digit limit
        raise InvalidParameter(f"Invalid {what}: a number in it is too long to read ({_first_line(exc)})") from None
    else:
        too_deep = _depth_exceeds(value, MAX_JSON_DEPTH)
    if too_deep:
        raise InvalidParameter(f"Invalid {what}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _first_line(exc):
    return str(exc).split(";", 1)[0].strip()
