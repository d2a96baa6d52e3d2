"""models:/<name>/<version>, models:/<name>@<alias> and models:/<name>/<stage> -> artifact URI.

The models helper (runtime.models.uris) turns model URIs into local folders;
this module answers the registry part of that question for any registry URI
(file, SQL or http), and lets registry stores resolve models:/ version sources.
"""

from runtime.errors import InvalidParameter, NotFound


def parse_models_source(uri):
    """models:/ URI -> {"model_id"} or {"name", "version", "alias", "stage"} (see runtime.models.models_uri)."""
    from runtime.models.models_uri import parse_models_uri

    return parse_models_uri(uri)


def version_for(store, parsed):
    """The version number a parsed models:/ URI names in this registry store."""
    name = parsed["name"]
    if parsed.get("alias"):
        return str(store.get_model_version_by_alias(name, parsed["alias"]).version)
    if parsed.get("version"):
        return str(parsed["version"])
    stage = parsed.get("stage")
    if not stage:
        raise InvalidParameter(f"models:/{name} names no version, alias or stage")
    stages = None if stage.lower() == "latest" else [stage]
    latest = store.get_latest_versions(name, stages)
    if not latest:
        raise NotFound(f"No versions of model {name!r} found in stage {stage!r}")
    return str(max(int(v.version) for v in latest))


def download_uri(store, parsed):
    """The artifact URI of the version a parsed models:/ URI names."""
    return store.get_model_version_download_uri(parsed["name"], version_for(store, parsed))


def resolve_model_version_uri(name, version_or_alias, registry_uri):
    """Artifact source URI of models:/<name>/<version> or models:/<name>@<alias>.

    version_or_alias: a version number ("3"), "@alias" / an alias name, a stage
    name or "latest". registry_uri: any registry URI get_model_registry_store accepts.
    """
    from runtime.store.factory import get_model_registry_store

    text = str(version_or_alias)
    parsed = {"name": name, "version": None, "alias": None, "stage": None}
    if text.startswith("@"):
        parsed["alias"] = text[1:]
    elif text.isdigit():
        parsed["version"] = text
    elif text.lower() == "latest" or text.lower() in ("none", "staging", "production", "archived"):
        parsed["stage"] = text
    else:
        parsed["alias"] = text
    store = get_model_registry_store(registry_uri)
    try:
        return download_uri(store, parsed)
    finally:
        store.close()


def registry_resolver(parsed, tracking_uri):
    """Adapter for runtime.models.uris.set_registry_resolver: (parsed URI, registry URI) -> artifact URI."""
    from runtime.store.factory import get_model_registry_store

    store = get_model_registry_store(tracking_uri)
    try:
        return download_uri(store, parsed)
    finally:
        store.close()
