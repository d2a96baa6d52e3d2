"""`mlf mcp run`: a Model Context Protocol server (stdio) over the traces of a tracking store.

Tools carry MLflow's MCP tool names, so prompts written for `mlflow mcp run`
work here too: search_traces, get_trace, set_trace_tag, delete_trace_tag,
log_trace_feedback, log_trace_expectation, get_trace_assessment,
update_trace_assessment and delete_trace_assessment, plus the deployment tools of
runtime.deployments.mcp_tools. The store is the one MLFLOW_TRACKING_URI names; it is
opened on the first tool call.
"""

import os

from runtime.tracing import service

INSTRUCTIONS = (
    "Tools over MLflow traces: search them (filter strings like \"status = 'ERROR' AND tags.env = 'prod'\"), "
    "read one whole or in parts (extract_fields such as 'info.trace_id,data.spans.*.name'), tag them and record "
    "feedback or expectations on them."
)


def _explained(function):
    """Let the client see our error messages (the SDK hides unexpected exceptions behind a generic text)."""
    import functools

    from mcp.server.mcpserver.exceptions import ToolError

    from runtime.errors import MlfError

    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MlfError as exc:
            raise ToolError(exc.message) from None

    return call


def build_server(store_factory):
    """The MCPServer with the trace tools; store_factory() returns the tracking store."""
    from mcp.server.mcpserver import MCPServer

    from runtime import __version__

    server = MCPServer("mlf", version=__version__, instructions=INSTRUCTIONS)
    opened = {}

    def tool():
        register = server.tool()
        return lambda function: register(_explained(function))

    def store():
        if "store" not in opened:
            opened["store"] = store_factory()
        return opened["store"]

    from runtime.deployments.mcp_tools import register as register_deployment_tools

    register_deployment_tools(tool)

    @tool()
    def search_traces(experiment_id: str, filter_string: str | None = None, max_results: int = 100,
                      order_by: str | None = None, page_token: str | None = None, run_id: str | None = None,
                      include_spans: bool = False, extract_fields: str | None = None) -> dict:
        """Search the traces of an experiment, newest first. Filter fields: run_id, status, timestamp_ms,
        execution_time_ms, name, trace_id, metadata.<key>, tags.<key> (backticks around keys with dots),
        joined with AND. order_by is comma-separated, e.g. 'timestamp_ms DESC'."""
        traces, token = service.search(store(), experiment_id, filter_string, max_results, order_by, page_token,
                                       run_id, include_spans)
        dicts = service.select_fields([t.to_dict() for t in traces], extract_fields)
        return {"traces": dicts, "next_page_token": token}

    @tool()
    def get_trace(trace_id: str, extract_fields: str | None = None) -> dict:
        """One trace (info and spans) as JSON, or only the comma-separated dot paths in extract_fields."""
        return service.select_fields([store().get_trace(trace_id).to_dict()], extract_fields)[0]

    @tool()
    def set_trace_tag(trace_id: str, key: str, value: str) -> dict:
        """Set a tag on a trace."""
        store().set_trace_tag(trace_id, key, value)
        return {"trace_id": trace_id, "key": key, "value": value}

    @tool()
    def delete_trace_tag(trace_id: str, key: str) -> dict:
        """Remove a tag from a trace."""
        store().delete_trace_tag(trace_id, key)
        return {"trace_id": trace_id, "deleted": key}

    @tool()
    def log_trace_feedback(trace_id: str, name: str, value: str | None = None, source_type: str | None = None,
                           source_id: str | None = None, rationale: str | None = None, metadata: str | None = None,
                           span_id: str | None = None) -> dict:
        """Record feedback (a score or judgement) on a trace. value is JSON when it parses (0.9, true) or text;
        source_type is HUMAN, LLM_JUDGE or CODE (with source_id); metadata is a JSON object."""
        return service.log_feedback(store(), trace_id, name, value, source_type, source_id, rationale, metadata,
                                    span_id).to_dict()

    @tool()
    def log_trace_expectation(trace_id: str, name: str, value: str, source_type: str | None = None,
                              source_id: str | None = None, metadata: str | None = None,
                              span_id: str | None = None) -> dict:
        """Record an expectation (the ground truth) on a trace; value is JSON when it parses, else text."""
        return service.log_expectation(store(), trace_id, name, value, source_type, source_id, metadata,
                                       span_id).to_dict()

    @tool()
    def get_trace_assessment(trace_id: str, assessment_id: str) -> dict:
        """One assessment of a trace as JSON."""
        return store().get_assessment(trace_id, assessment_id).to_dict()

    @tool()
    def update_trace_assessment(trace_id: str, assessment_id: str, value: str | None = None,
                                rationale: str | None = None, metadata: str | None = None) -> dict:
        """Change an assessment's value, rationale or metadata (its name cannot change)."""
        return service.update_assessment(store(), trace_id, assessment_id, value, rationale, metadata).to_dict()

    @tool()
    def delete_trace_assessment(trace_id: str, assessment_id: str) -> dict:
        """Delete an assessment from a trace."""
        store().delete_assessment(trace_id, assessment_id)
        return {"trace_id": trace_id, "deleted": assessment_id}

    return server, opened


def run_stdio(environ=None):
    """Serve on stdin/stdout until the client disconnects."""
    environ = os.environ if environ is None else environ

    def open_store():
        from runtime.store.registry import get_tracking_store
        from runtime.tracking_uri import resolve_tracking_uri

        return get_tracking_store(resolve_tracking_uri(None, environ))

    server, opened = build_server(open_store)
    try:
        server.run("stdio")
    finally:
        if "store" in opened:
            opened["store"].close()
