"""Compile the validated manifest into the JSON tree the runtime reads (runtime/_manifest.json)."""

import copy
import json

from generator.load import SpecError, load_spec, spec_hash

FORMAT_VERSION = 1
DEFAULT_METAVARS = {"string": "TEXT", "int": "INTEGER", "float": "FLOAT", "path": "PATH",
                    "int-range": "INTEGER", "float-range": "FLOAT", "bool": "BOOLEAN",
                    "key-value": "KEY=VALUE", "json-object": "JSON"}


def _dest_of(flags):
    longs = [f for f in flags if f.startswith("--")]
    return (longs[0] if longs else flags[0]).lstrip("-").replace("-", "_")


def resolve_option(option, shared, where):
    """Merge a `use:` reference with its per-use overrides and fill in derived fields."""
    option = dict(option)
    name = option.pop("use", None)
    if name is not None:
        if name not in shared:
            raise SpecError(f"{where}: unknown shared option {name!r}")
        merged = copy.deepcopy(shared[name])
        merged.update(option)
        option = merged
    kind = option.get("type") or ("bool" if option.get("flag") else "string")
    is_flag = bool(option.get("flag", kind == "bool"))
    resolved = {
        "flags": list(option["flags"]),
        "negative_flags": list(option.get("negative_flags", [])),
        "alias_flags": list(option.get("alias_flags", [])),
        "dest": option.get("dest") or _dest_of(option["flags"]),
        "type": kind,
        "flag": is_flag,
        "required": bool(option.get("required", False)),
        "multiple": bool(option.get("multiple", False)),
        "help": option["help"].strip(),
        "hidden": bool(option.get("hidden", False)),
        "extension": bool(option.get("extension", False)),
    }
    default = option.get("default", [] if resolved["multiple"] else (False if is_flag else None))
    resolved["default"] = default
    for key in ("choices", "min", "max", "default_doc", "envvar", "prompt"):
        if key in option:
            resolved[key] = option[key]
    if not is_flag:
        resolved["metavar"] = option.get("metavar") or (
            "[" + "|".join(option["choices"]) + "]" if kind == "choice" else DEFAULT_METAVARS.get(kind, "TEXT")
        )
    if kind == "choice" and "choices" not in option:
        raise SpecError(f"{where}: option {resolved['flags'][0]} has type choice but no choices")
    return resolved


def resolve_argument(argument):
    nargs = argument.get("nargs")
    resolved = {
        "name": argument["name"],
        "dest": argument.get("dest") or argument["name"].lower(),
        "type": argument.get("type", "string"),
        "required": bool(argument.get("required", nargs not in ("?", "*"))),
        "nargs": nargs,
        "help": argument["help"].strip(),
        "default": argument.get("default", [] if nargs in ("*", "+") else None),
        "extension": bool(argument.get("extension", False)),
    }
    for key in ("choices", "envvar"):
        if key in argument:
            resolved[key] = argument[key]
    return resolved


def resolve_groups(document, options, arguments, where):
    """Groups name members by long flag or argument NAME; the runtime wants destinations."""
    by_name = {flag: o["dest"] for o in options for flag in o["flags"]}
    by_name.update({a["name"]: a["dest"] for a in arguments})
    groups = []
    for group in document.get("groups", []):
        unknown = [m for m in group["members"] if m not in by_name]
        if unknown:
            raise SpecError(f"{where}: group member(s) {', '.join(unknown)} are not options or arguments of this command")
        resolved = {"rule": group["rule"], "members": [by_name[m] for m in group["members"]]}
        if "reason" in group:
            resolved["reason"] = group["reason"].strip()
        groups.append(resolved)
    return groups


def compile_node(document, shared, parent_path, is_root=False, help_note=None):
    path = "" if is_root else f"{parent_path} {document['name']}".strip()
    help_note = document.get("help_note", help_note)  # subcommands inherit their group's note
    options = [resolve_option(o, shared, f"{path}") for o in document.get("options", [])]
    arguments = [resolve_argument(a) for a in document.get("arguments", [])]
    node = {
        "name": document["name"],
        "path": path,
        "summary": document["summary"].strip(),
        "help": document.get("help", document["summary"]).strip(),
        "handler": document.get("handler"),
        "extension": bool(document.get("extension", False)),
        "passthrough": bool(document.get("passthrough", False)),
        "options": options,
        "arguments": arguments,
        "groups": resolve_groups(document, options, arguments, path),
        "mcp_tool": document.get("mcp_tool"),
        "examples": [{"command": e["command"], "help": e["help"].strip()} for e in document.get("examples", [])],
        "commands": {},
        "aliases": {},
    }
    if help_note:
        node["help_note"] = help_note
    for child in sorted(document.get("commands", []), key=lambda c: c["name"]):
        compiled = compile_node(child, shared, path, help_note=help_note)
        node["commands"][child["name"]] = compiled
        for alias in child.get("aliases", []):
            node["aliases"][alias] = child["name"]
    return node


def compile_manifest(spec_dir=None):
    """Return the compiled manifest as a dict (validated, `use:` resolved, sorted)."""
    kwargs = {} if spec_dir is None else {"spec_dir": spec_dir}
    root_doc, command_docs = load_spec(**kwargs)
    shared = root_doc["shared_options"]
    root = compile_node(
        {"name": root_doc["program"], "summary": root_doc["summary"], "help": root_doc["help"],
         "options": root_doc["options"], "commands": command_docs},
        shared,
        "",
        is_root=True,
    )
    manifest = {
        "format": FORMAT_VERSION,
        "spec_hash": spec_hash(**kwargs),
        "program": root_doc["program"],
        "env_vars": {name: {"help": v["help"].strip(), "read_by": v.get("read_by")} for name, v in sorted(root_doc["env_vars"].items())},
        "root": root,
    }
    from generator.lint import lint_manifest

    problems = lint_manifest(manifest)
    if problems:
        raise SpecError("manifest lint failed:\n  " + "\n  ".join(problems))
    return manifest


def render_manifest_json(manifest):
    return json.dumps(manifest, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def iter_nodes(node):
    """Every node of the tree, depth first, root included."""
    yield node
    for child in node["commands"].values():
        yield from iter_nodes(child)
