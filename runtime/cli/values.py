"""Value types and click-compatible precedence: command line, then env var, then default.

An env var set to the empty string counts as unset (click does the same). The
source of every value is remembered so handlers can tell a default from a
choice the user made.
"""

import os

from runtime.errors import UsageError
from runtime.json_object import parse_json_object

COMMANDLINE, ENVVAR, DEFAULT = "commandline", "envvar", "default"

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def parse_bool(text):
    lowered = str(text).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a valid boolean (use true/false, 1/0, yes/no, on/off)")


def _check_range(number, spec):
    low, high = spec.get("min"), spec.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{number} is not in the range {low if low is not None else ''}..{high if high is not None else ''}")
    return number


def convert(spec, text):
    """Convert one raw string for an option/argument spec; ValueError with a short reason."""
    kind = spec["type"]
    if kind in ("int", "int-range"):
        try:
            number = int(text, 10)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not a valid integer") from None
        return _check_range(number, spec)
    if kind in ("float", "float-range"):
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not a valid number") from None
        return _check_range(number, spec)
    if kind == "bool":
        return parse_bool(text)
    if kind == "choice" and text not in spec["choices"]:
        raise ValueError(f"{text!r} is not one of {', '.join(repr(c) for c in spec['choices'])}")
    if "\x00" in str(text):
        raise ValueError("value contains a NUL character")
    if kind == "key-value":
        return parse_key_value(text, spec.get("metavar") or "KEY=VALUE")
    if kind == "json-object":
        return parse_json_object(text)
    return text


def parse_key_value(text, form="KEY=VALUE"):
    """'key=value' -> ('key', 'value'); the value may hold '=' and may be empty, the key may not."""
    key, sep, value = str(text).partition("=")
    if not sep or not key:
        raise ValueError(f"{text!r}: expected {form}")
    return key, value





def display_name(spec):
    if "flags" in spec:
        return " / ".join(f"'{f}'" for f in spec["flags"])
    return f"'{spec['name']}'"


def resolve(specs, parsed, environ=None):
    """Fill in env vars and defaults for every spec; return (values, sources).

    parsed holds only what the command line gave (converted already).
    Required values missing from both command line and env var are a usage error.
    """
    environ = os.environ if environ is None else environ
    values, sources = {}, {}
    for spec in specs:
        dest = spec["dest"]
        if dest in parsed:
            values[dest], sources[dest] = parsed[dest], COMMANDLINE
            continue
        name = spec.get("envvar")
        raw = environ.get(name) if name else None
        if raw not in (None, ""):
            try:
                if spec.get("multiple") or spec.get("nargs") in ("*", "+"):
                    value = [convert(spec, part) for part in raw.split()]
                else:
                    value = convert(spec, raw)
            except ValueError as exc:
                raise UsageError(f"Invalid value in env var {name} for {display_name(spec)}: {exc}") from None
            values[dest], sources[dest] = value, ENVVAR
            continue
        if spec.get("required") and not spec.get("prompt"):  # a prompted option is asked by its handler
            kind = "option" if "flags" in spec else "argument"
            hint = f" (or set {name})" if name else ""
            raise UsageError(f"Missing {kind} {display_name(spec)}{hint}.")
        default = spec.get("default")
        values[dest], sources[dest] = (list(default) if isinstance(default, list) else default), DEFAULT
    return values, sources
