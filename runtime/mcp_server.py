"""`mlf mcp run`: a Model Context Protocol server (stdio) generated from the manifest.

Every command with ``mcp_tool`` in spec/ is a tool of that name (MLflow's tool
names, so prompts written for `mlflow mcp run` work here too). Its options are
the tool's arguments, under their python names; its help is the description.
A call is checked like a command line (value types, env vars, argument
groups) and runs the command's handler; tools answer in JSON, so a command's
``output`` option is not offered and is set to json. The store is the one
MLFLOW_TRACKING_URI names; it is opened on the first call and kept.
"""

import inspect
import io
import os
import sys

INSTRUCTIONS = (
    "Tools over MLflow traces: search them (filter strings like \"status = 'ERROR' AND tags.env = 'prod'\"), "
    "read one whole or in parts (extract_fields such as 'info.trace_id,data.spans.*.name'), tag them and record "
    "feedback or expectations on them."
)
OUTPUT_DEST = "output"
_ANNOTATIONS = {"int": int, "int-range": int, "float": float, "float-range": float, "bool": bool}


def tool_nodes(manifest):
    """(tool name, command node) for every command the manifest serves as an MCP tool."""
    found = []

    def walk(node):
        if node.get("mcp_tool"):
            found.append((node["mcp_tool"], node))
        for child in node["commands"].values():
            walk(child)

    walk(manifest["root"])
    return found


def tool_parameters(node):
    """The option and argument specs a tool offers (not the output format, not hidden options)."""
    return [spec for spec in node["options"] + node["arguments"]
            if spec["dest"] != OUTPUT_DEST and not spec.get("hidden")]


def _signature(specs):
    parameters = []
    for spec in specs:
        kind = _ANNOTATIONS.get(spec["type"], str)
        if spec.get("multiple") or spec.get("nargs") in ("*", "+"):
            kind = list[str]
        if spec.get("required"):
            parameters.append(inspect.Parameter(spec["dest"], inspect.Parameter.KEYWORD_ONLY, annotation=kind))
        else:
            default = spec.get("default") if spec.get("flag") else None
            annotation = kind if spec.get("flag") else kind | None
            parameters.append(inspect.Parameter(spec["dest"], inspect.Parameter.KEYWORD_ONLY, default=default,
                                                annotation=annotation))
    return inspect.Signature(parameters)


def _given(specs, arguments):
    """What the client chose, converted like command-line text (a default is not a choice)."""
    from runtime.cli.values import convert
    from runtime.errors import UsageError

    parsed = {}
    for spec in specs:
        value = arguments.get(spec["dest"])
        if value is None or (spec.get("flag") and value == spec.get("default")):
            continue
        try:
            if isinstance(value, list):
                value = [convert(spec, str(item)) for item in value]
            elif isinstance(value, str):
                value = convert(spec, value)
        except ValueError as exc:
            raise UsageError(f"Invalid value for '{spec['dest']}': {exc}") from None
        parsed[spec["dest"]] = value
    return parsed


def call_command(node, arguments, stores, environ):
    """Run a command's handler for a tool call; returns the JSON form of its result."""
    from runtime.cli.context import Context
    from runtime.cli.dispatch import call_handler
    from runtime.cli.groups import check_groups
    from runtime.cli.output import json_form
    from runtime.cli.values import resolve

    specs = node["options"] + node["arguments"]
    values, sources = resolve(specs, _given(tool_parameters(node), arguments), environ)
    check_groups(node, sources, lambda dest: dest, env_hint=False)
    if OUTPUT_DEST in values:
        values[OUTPUT_DEST] = "json"
    ctx = Context(node["path"], sources, stdout=io.StringIO(), stderr=sys.stderr, environ=environ, stores=stores)
    return json_form(call_handler(node, values, ctx))


def _tool_function(name, node, stores, environ):
    from mcp.server.mcpserver.exceptions import ToolError

    from runtime.errors import MlfError

    dests = {spec["dest"] for spec in node["options"] + node["arguments"]}

    def tool(**arguments):
        try:
            return call_command(node, arguments, stores, environ)
        except MlfError as exc:
            # The client sees our message (the SDK hides unexpected exceptions behind a generic text).
            raise ToolError(exc.naming(exc.param) if exc.param in dests else exc.message) from None

    tool.__name__ = name
    tool.__doc__ = node["help"]
    tool.__signature__ = _signature(tool_parameters(node))
    return tool


def build_server(manifest=None, environ=None):
    """The MCPServer with one tool per manifest command that names one; returns (server, open stores)."""
    from mcp.server.mcpserver import MCPServer

    from runtime import __version__
    from runtime.cli.manifest import load_manifest

    manifest = load_manifest() if manifest is None else manifest
    environ = os.environ if environ is None else environ
    server = MCPServer("mlf", version=__version__, instructions=INSTRUCTIONS)
    stores = {}
    for name, node in tool_nodes(manifest):
        server.add_tool(_tool_function(name, node, stores, environ), name=name, description=node["help"])
    return server, stores


def run_stdio(environ=None):
    """Serve on stdin/stdout until the client disconnects."""
    server, stores = build_server(environ=environ)
    try:
        server.run("stdio")
    finally:
        for store in stores.values():
            store.close()
