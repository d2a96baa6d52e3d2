"""`mlf mcp run` answers the MCP SDK's own client over stdio: initialize, tools/list and tools/call."""

import json
import os
import sys
from pathlib import Path

import anyio
import pytest

from runtime.tracing.entities import Span
from runtime.tracing.otlp import spans_from_export_request

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "otlp_export_request.bin"
EXPECTED_TOOLS = {"search_traces", "get_trace", "set_trace_tag", "delete_trace_tag", "log_trace_feedback",
                  "log_trace_expectation", "get_trace_assessment", "update_trace_assessment",
                  "delete_trace_assessment"}


@pytest.fixture
def store_with_trace(tmp_path):
    from runtime.store.factory import get_tracking_store

    uri = f"sqlite:///{tmp_path / 'mcp.db'}"
    store = get_tracking_store(uri, str(tmp_path / "artifacts"))
    spans = [Span.from_proto_json(s) for s in spans_from_export_request(FIXTURE.read_bytes())]
    store.log_spans("0", spans)
    yield uri, store, spans[0].request_id
    store.close()


def _payload(result):
    assert not result.is_error, result
    return json.loads(result.content[0].text)


async def _session(uri, work):
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = dict(os.environ, MLFLOW_TRACKING_URI=uri, PYTHONPATH=str(ROOT))
    params = StdioServerParameters(command=sys.executable, args=["-m", "runtime", "mcp", "run"], env=env,
                                   cwd=str(ROOT))
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                return await work(session)


def test_initialize_list_and_call_tools(store_with_trace):
    uri, store, trace_id = store_with_trace

    async def work(session):
        init = await session.initialize()
        tools = await session.list_tools()
        found = await session.call_tool("search_traces", {"experiment_id": "0", "filter_string": "name = 'predict'",
                                                          "extract_fields": "info.trace_id,info.state"})
        trace = await session.call_tool("get_trace", {"trace_id": trace_id, "extract_fields": "data.spans.*.name"})
        tagged = await session.call_tool("set_trace_tag", {"trace_id": trace_id, "key": "reviewed", "value": "yes"})
        feedback = await session.call_tool("log_trace_feedback", {
            "trace_id": trace_id, "name": "helpful", "value": "true", "source_type": "HUMAN",
            "source_id": "agent@example.com", "rationale": "answers the question"})
        bad = await session.call_tool("search_traces", {"experiment_id": "0", "filter_string": "status = OK"})
        return init, tools, found, trace, tagged, feedback, bad

    init, tools, found, trace, tagged, feedback, bad = anyio.run(_session, uri, work)
    assert init.server_info.name == "mlf"
    assert EXPECTED_TOOLS <= {t.name for t in tools.tools}
    search_tool = next(t for t in tools.tools if t.name == "search_traces")
    assert "experiment_id" in search_tool.input_schema["required"]
    assert _payload(found)["traces"] == [{"info": {"trace_id": trace_id, "state": "OK"}}]
    assert _payload(trace) == {"data": {"spans": [{"name": "predict"}, {"name": "inner"}]}}
    assert _payload(tagged)["value"] == "yes"
    assessment = _payload(feedback)
    assert assessment["feedback"] == {"value": True} and assessment["source"]["source_id"] == "agent@example.com"
    assert bad.is_error and "position 10" in bad.content[0].text
    # What the tools changed is in the store.
    info = store.get_trace_info(trace_id)
    assert info.tags["reviewed"] == "yes"
    assert [a.name for a in info.assessments] == ["helpful"]
