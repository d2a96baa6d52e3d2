"""Rebuild runtime/server/proto_schema.json from the MLflow REST reference dump.

The server parses requests by message schema (field names, camelCase json
names, types, enums, defaults, required flags) and mounts each RPC at the
paths MLflow serves it on. Those facts live in
tests/data/reference/mlflow-rest.json; this script keeps only what the server
needs, in a compact file shipped with the runtime.

    python tests/server/build_proto_schema.py [REFERENCE_JSON]
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE = ROOT / "tests" / "data" / "reference" / "mlflow-rest.json"
TARGET = ROOT / "runtime" / "server" / "proto_schema.json"


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


def main(argv):
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_REFERENCE
    reference = json.loads(source.read_text(encoding="utf-8"))
    TARGET.write_text(render(reference), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main(sys.argv)
