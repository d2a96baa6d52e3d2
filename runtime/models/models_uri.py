"""The grammar of models:/ URIs, on its own so registry stores and the models helper both use it."""

import re

from runtime.errors import InvalidParameter

_MODELS_URI = re.compile(r"^models:/+(?P<name>[^/@]+)(?:/(?P<version>[^/]+)|@(?P<alias>[^/]+))?/*$")
_LOGGED_MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")


def parse_models_uri(model_uri):
    """models:/ URI -> dict(name=, version=, alias=, stage=) or dict(model_id=)."""
    match = _MODELS_URI.match(model_uri)
    if not match:
        raise InvalidParameter(
            f"Invalid model URI {model_uri!r}: expected models:/<name>/<version>, models:/<name>@<alias>, "
            "models:/<name>/<stage>, models:/<name>/latest or models:/<model_id>"
        )
    name, version, alias = match.group("name"), match.group("version"), match.group("alias")
    if version is None and alias is None:
        if _LOGGED_MODEL_ID.match(name):
            return {"model_id": name}
        raise InvalidParameter(f"Invalid model URI {model_uri!r}: name a version, alias or stage")
    parsed = {"name": name, "version": None, "alias": alias, "stage": None}
    if version is not None:
        if version.isdigit():
            parsed["version"] = version
        else:
            parsed["stage"] = version  # a stage name, or "latest"
    return parsed
