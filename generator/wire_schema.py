"""Render runtime/wire/proto_schema.json from the MLflow REST reference dump.

The server parses requests by message schema (field names, camelCase json
names, types, enums, defaults, required flags) and mounts each RPC at the
paths MLflow serves it on; the REST clients call each RPC at the same paths.
Those facts live in spec/reference/mlflow-rest.json; this keeps only what the
wire layer needs, in a compact file shipped with the runtime.
"""

import json
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent.parent / "spec"
REFERENCE = SPEC_DIR / "reference" / "mlflow-rest.json"
TARGET = "runtime/wire/proto_schema.json"


def compact_field(field):
    out = {"name": field["name"], "type": field["type"]}
    json_name = field.get("proto_json_name")
    if json_name and json_name != field["name"]:
        out["json"] = json_name
    for key in ("type_name", "map_key", "map_value", "default", "oneof"):
        if key in field:
            out[key] = field[key]
    if field.get("repeated"):
        out["repeated"] = True
    if field.get("validate_required"):
        out["required"] = True
    return out


def build(reference):
    messages = {name: [compact_field(f) for f in m["fields"]] for name, m in reference["messages"].items()}
    rpcs = {}
    for key, rpc in reference["rpcs"].items():
        request = rpc["request"]
        messages.setdefault(request["message"], [compact_field(f) for f in request["fields"]])
        rpcs[key] = {
            "request": request["message"],
            "endpoints": [[e["method"], path] for e in rpc["endpoints"] for path in e["paths"]],
        }
    enums = {name: {v["name"]: v["number"] for v in e["values"]} for name, e in reference["enums"].items()}
    return {
        "mlflow_version": reference["mlflow_version"],
        "rpcs": dict(sorted(rpcs.items())),
        "messages": dict(sorted(messages.items())),
        "enums": dict(sorted(enums.items())),
    }


def render(reference):
    """One line per rpc, message and enum, so diffs stay readable."""
    schema = build(reference)
    lines = ["{", f'"mlflow_version": {json.dumps(schema["mlflow_version"])},']
    sections = ("rpcs", "messages", "enums")
    for index, section in enumerate(sections):
        lines.append(f'"{section}": {{')
        entries = list(schema[section].items())
        for position, (name, value) in enumerate(entries):
            comma = "," if position < len(entries) - 1 else ""
            lines.append(f"{json.dumps(name)}: {json.dumps(value, separators=(',', ':'))}{comma}")
        lines.append("}," if index < len(sections) - 1 else "}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_wire_schema(reference_path=REFERENCE):
    """{TARGET: text} for the generator's file table."""
    return {TARGET: render(json.loads(Path(reference_path).read_text(encoding="utf-8")))}
