"""`mlf mcp run` serves the deployment commands as tools (mlflow's tool names), here with faketarget."""

import json
import os
import sys

import anyio

from tests.deployments.conftest import PROJECT_ROOT

DEPLOYMENT_TOOLS = {"create_deployment", "update_deployment", "delete_deployment", "list_deployments",
                    "get_deployment", "run_deployment_locally", "predict_with_deployment", "explain_deployment",
                    "create_deployment_endpoint", "update_deployment_endpoint", "delete_deployment_endpoint",
                    "list_deployment_endpoints", "get_deployment_endpoint"}


async def _session(plugin_site, work, cwd):
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(plugin_site), str(PROJECT_ROOT)]),
               MLFLOW_TRACKING_URI=str(cwd / "mlruns"))
    params = StdioServerParameters(command=sys.executable, args=["-m", "runtime", "mcp", "run"], env=env, cwd=str(cwd))
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await work(session)


def test_deployment_tools(plugin_site, tmp_path):
    (tmp_path / "rows.json").write_text(json.dumps({"a": [1]}))

    async def work(session):
        tools = {t.name for t in (await session.list_tools()).tools}
        calls = [
            await session.call_tool("list_deployments", {"target": "faketarget"}),
            await session.call_tool("create_deployment", {"target": "faketarget", "name": "n", "model_uri": "m",
                                                          "flavor": "fl"}),
            await session.call_tool("run_deployment_locally", {"target": "faketarget", "name": "n", "model_uri": "m",
                                                               "config": ["k=v"]}),
            await session.call_tool("predict_with_deployment", {"target": "faketarget", "name": "n",
                                                                "input_path": str(tmp_path / "rows.json")}),
            await session.call_tool("get_deployment_endpoint", {"target": "faketarget", "endpoint": "e"}),
            await session.call_tool("list_deployments", {"target": "nosuch"}),
        ]
        return tools, calls

    tools, calls = anyio.run(_session, plugin_site, work, tmp_path)
    assert DEPLOYMENT_TOOLS <= tools
    texts = [c.content[0].text for c in calls]
    assert [c.is_error for c in calls] == [False] * 5 + [True]
    assert texts[0] == "List of all deployments:\n[{'name': 'fake_deployment_name'}]"
    assert texts[1] == "\nfl deployment fake_deployment_name is created"
    assert texts[2] == ("Deployed locally at the key n using the model from m. It's flavor is None and config is "
                        "{'k': 'v'}")
    assert texts[3] == '"1"'
    assert texts[4] == "name: fake_endpoint_name\n\n"
    assert texts[5].startswith('Error executing tool list_deployments: No plugin found for managing model deployments to "nosuch".')
