"""Small reads the pages share: run counts, filter text built from user input, id lists, view types."""

from runtime.entities import ViewType
from runtime.errors import InvalidParameter

LIFECYCLES = {"active": ViewType.ACTIVE_ONLY, "deleted": ViewType.DELETED_ONLY, "all": ViewType.ALL}


def view_type(request, name="lifecycle"):
    value = request.query_params.get(name) or "active"
    if value not in LIFECYCLES:
        raise InvalidParameter(f"Invalid {name} {value!r}: use active, deleted or all")
    return value, LIFECYCLES[value]


def quoted(text):
    """A filter string literal holding text exactly."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def name_contains_filter(text):
    """Filter for names containing text (case-insensitive), or None for no text."""
    text = (text or "").strip()
    if not text:
        return None
    return f"name ILIKE {quoted('%' + text + '%')}"


def split_ids(text, what="experiment id"):
    """'1,2, 3' -> ['1', '2', '3'] (each checked); duplicates dropped, order kept."""
    from runtime.validation import validate_experiment_id

    ids = []
    for part in str(text or "").split(","):
        part = part.strip()
        if part and part not in ids:
            ids.append(validate_experiment_id(part))
    if not ids:
        raise InvalidParameter(f"No {what} given")
    return ids


def run_count(store, experiment_id):
    """Active runs of an experiment (stores list run infos without their data, so this stays cheap)."""
    return len(store.list_run_infos(experiment_id, ViewType.ACTIVE_ONLY))
