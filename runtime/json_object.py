"""One reader of JSON-object values (option values, metadata, backend configs), with one set of messages."""

import json

EXAMPLE = '{"key": "value"}'


def parse_json_object(text):
    """A JSON object given as text -> dict; empty text -> None; ValueError with a short reason otherwise."""
    if text is None or str(text).strip() == "":
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{text!r} is not a JSON object, e.g. '{EXAMPLE}'")
    return data
