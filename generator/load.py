"""Load spec/*.yaml, validate each file against the JSON Schema, and resolve `use:` references."""

import hashlib
import json
from pathlib import Path

import jsonschema
import yaml

SPEC_DIR = Path(__file__).resolve().parent.parent / "spec"


class SpecError(Exception):
    """The manifest is invalid; the message names the file and the path inside it."""


def _schema():
    return json.loads((SPEC_DIR / "manifest.schema.json").read_text())


def _validator(schema, definition):
    # Validate against one branch so errors point at the real problem, not "no branch matched".
    branch = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(branch)


def validate_document(document, definition, source):
    """Raise SpecError for the first schema violation, naming file and JSON path."""
    validator = _validator(_schema(), definition)
    errors = sorted(validator.iter_errors(document), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        deepest = max(errors, key=lambda e: len(e.absolute_path))
        where = "/".join(str(p) for p in deepest.absolute_path) or "(top)"
        raise SpecError(f"{source}: {where}: {deepest.message}")


class _StrictLoader(yaml.SafeLoader):
    """safe_load that refuses duplicate keys (plain safe_load silently keeps the last one)."""


def _mapping_without_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _read_yaml(path):
    with open(path, encoding="utf-8") as handle:
        try:
            return yaml.load(handle, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            raise SpecError(f"{Path(path).name}: not valid YAML: {exc}") from None


def spec_files(spec_dir=SPEC_DIR):
    """The manifest's files in a fixed order: cli.yaml, then commands/*.yaml sorted."""
    spec_dir = Path(spec_dir)
    return [spec_dir / "cli.yaml", *sorted((spec_dir / "commands").glob("*.yaml"))]


def spec_hash(spec_dir=SPEC_DIR):
    digest = hashlib.sha256()
    spec_dir = Path(spec_dir)
    for path in [*spec_files(spec_dir), spec_dir / "manifest.schema.json"]:
        digest.update(path.relative_to(spec_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_spec(spec_dir=SPEC_DIR):
    """Return (root_document, [command_documents]) after schema validation."""
    files = spec_files(spec_dir)
    root = _read_yaml(files[0])
    validate_document(root, "root", files[0].name)
    commands = []
    for path in files[1:]:
        document = _read_yaml(path)
        validate_document(document, "command", f"commands/{path.name}")
        if document["name"] != path.stem:
            raise SpecError(f"commands/{path.name}: name {document['name']!r} must equal the file name {path.stem!r}")
        commands.append(document)
    return root, commands
