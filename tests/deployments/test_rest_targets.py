"""mlf's REST targets against local fake services: what mlf prints and exactly what it sends.

http/https speak the AI gateway's API, openai OpenAI's (and Azure's), databricks the
serving-endpoints API.
"""

import json

import pytest

from tests.deployments.fake_services import fake_service

NO_RETRIES = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"}
CHAT = {"messages": [{"role": "user", "content": "hi"}], "temperature": 0.1}


def _gateway(request):
    endpoint = {"name": "chat", "endpoint_type": "llm/v1/chat", "model": {"name": "gpt", "provider": "openai"},
                "endpoint_url": "/gateway/chat/invocations", "limit": None}
    if request.path == "/api/2.0/endpoints/":
        if request.query.get("page_token") == "2":
            return 200, {"endpoints": [{**endpoint, "name": "embed", "endpoint_url": "/gateway/embed/invocations"}]}
        return 200, {"endpoints": [endpoint], "next_page_token": "2"}
    if request.path == "/api/2.0/endpoints/chat":
        return 200, endpoint
    if request.path == "/endpoints/chat/invocations":
        return 200, {"choices": [{"message": {"role": "assistant", "content": "hello"}}]}
    return 404, {"detail": "The endpoint 'nope' is not present or active on the server."}


@pytest.fixture
def chat_file(tmp_path):
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(CHAT))
    return str(path)


def test_http_target_lists_gets_and_predicts(mlf, chat_file):
    with fake_service(_gateway) as (url, seen):
        listed = mlf("deployments", "list-endpoints", "-t", url)
        got = mlf("deployments", "get-endpoint", "-t", url, "--endpoint", "chat")
        predicted = mlf("deployments", "predict", "-t", url, "--endpoint", "chat", "-I", chat_file,
                        env={"MLFLOW_TRACKING_TOKEN": "tok"})
        missing = mlf("deployments", "get-endpoint", "-t", url, "--endpoint", "nope", env=NO_RETRIES)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("List of all endpoints:\n[{'name': 'chat'")
    assert f"'endpoint_url': '{url}/gateway/chat/invocations'" in listed.stdout
    assert f"'endpoint_url': '{url}/gateway/embed/invocations'" in listed.stdout
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith("name: chat\nendpoint_type: llm/v1/chat\n")
    assert got.stdout.endswith("\n\n\n")
    assert (predicted.returncode, json.loads(predicted.stdout)) == (
        0, {"choices": [{"message": {"role": "assistant", "content": "hello"}}]})
    assert missing.returncode == 1
    assert missing.stderr == (f"Error: The AI gateway answered 404 to GET {url}/api/2.0/endpoints/nope: "
                              "The endpoint 'nope' is not present or active on the server.\n")
    assert [(r.method, r.path, r.query) for r in seen] == [
        ("GET", "/api/2.0/endpoints/", {}), ("GET", "/api/2.0/endpoints/", {"page_token": "2"}),
        ("GET", "/api/2.0/endpoints/chat", {}), ("POST", "/endpoints/chat/invocations", {}),
        ("GET", "/api/2.0/endpoints/nope", {})]
    assert seen[3].body == CHAT
    assert seen[3].headers["authorization"] == "Bearer tok"


def test_http_target_refuses_what_a_gateway_cannot_do(mlf):
    result = mlf("deployments", "list", "-t", "http://127.0.0.1:9")
    assert (result.returncode, result.stderr) == (
        1, 'Error: The "http" target does not support list (it has endpoints, not deployments; use list-endpoints)\n')
    result = mlf("deployments", "run-local", "-t", "https://gw.example", "--name", "n", "-m", "m")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: The http target cannot run models locally: it calls a running AI gateway.")


def test_http_target_unreachable_is_one_line(mlf):
    result = mlf("deployments", "list-endpoints", "-t", "http://127.0.0.1:9", env=NO_RETRIES)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Cannot reach The AI gateway at http://127.0.0.1:9/api/2.0/endpoints/")
    assert len(result.stderr.splitlines()) == 1


def _openai(request):
    if request.path.endswith("/chat/completions"):
        return 200, {"id": "c1", "object": "chat.completion", "choices": [{"message": {"content": "hey"}}]}
    if request.path == "/v1/models":
        return 200, {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "owned_by": "openai"}]}
    if request.path == "/v1/models/gpt-4o-mini":
        return 200, {"id": "gpt-4o-mini", "object": "model", "owned_by": "openai"}
    return 404, {"error": {"message": "The model 'nope' does not exist", "type": "invalid_request_error"}}


def test_openai_target(mlf, chat_file):
    with fake_service(_openai) as (url, seen):
        env = {"OPENAI_API_KEY": "sk-test", "OPENAI_API_BASE": f"{url}/v1", **NO_RETRIES}
        predicted = mlf("deployments", "predict", "-t", "openai", "--endpoint", "gpt-4o-mini", "-I", chat_file, env=env)
        listed = mlf("deployments", "list-endpoints", "-t", "openai", env=env)
        got = mlf("deployments", "get-endpoint", "-t", "openai", "--endpoint", "gpt-4o-mini", env=env)
        missing = mlf("deployments", "get-endpoint", "-t", "openai", "--endpoint", "nope",
                      env={**env, "OPENAI_API_BASE": "", "OPENAI_BASE_URL": f"{url}/v1"})
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout)["choices"][0]["message"]["content"] == "hey"
    assert listed.stdout == ("List of all endpoints:\n[{'id': 'gpt-4o-mini', 'object': 'model', "
                             "'owned_by': 'openai'}]\n")
    assert got.stdout == "id: gpt-4o-mini\nobject: model\nowned_by: openai\n\n\n"
    assert missing.stderr == (f"Error: OpenAI answered 404 to GET {url}/v1/models/nope: "
                              "The model 'nope' does not exist\n")
    chat = seen[0]
    assert (chat.method, chat.path) == ("POST", "/v1/chat/completions")
    assert chat.body == {**CHAT, "model": "gpt-4o-mini"}
    assert chat.headers["authorization"] == "Bearer sk-test"


def test_openai_azure(mlf, chat_file):
    with fake_service(_openai) as (url, seen):
        env = {"OPENAI_API_KEY": "az-key", "OPENAI_API_TYPE": "azure", "OPENAI_API_BASE": url,
               "OPENAI_API_VERSION": "2024-06-01", "OPENAI_DEPLOYMENT_NAME": "my-gpt"}
        predicted = mlf("deployments", "predict", "-t", "openai", "--endpoint", "gpt-4o", "-I", chat_file, env=env)
        listed = mlf("deployments", "list-endpoints", "-t", "openai", env=env)
    assert predicted.returncode == 0, predicted.stderr
    assert (seen[0].path, seen[0].query) == ("/openai/deployments/my-gpt/chat/completions",
                                             {"api-version": "2024-06-01"})
    assert seen[0].headers["api-key"] == "az-key"
    assert "authorization" not in seen[0].headers
    assert seen[0].body == CHAT
    assert listed.returncode == 1
    assert listed.stderr == ('Error: The "openai" target does not support list-endpoints '
                             "(Azure OpenAI has no model listing; use the Azure portal)\n")


@pytest.mark.parametrize("env, message", [
    ({}, "Error: OPENAI_API_KEY environment variable not set: the openai target needs an API key"),
    ({"OPENAI_API_KEY": "k", "OPENAI_API_TYPE": "bogus"},
     "Error: OPENAI_API_TYPE must be one of openai, azure, azure_ad, azuread, got 'bogus'"),
    ({"OPENAI_API_KEY": "k", "OPENAI_API_TYPE": "azure"},
     "Error: OPENAI_API_BASE must name the Azure OpenAI resource when OPENAI_API_TYPE=azure"),
])
def test_openai_configuration_errors(mlf, env, message):
    result = mlf("deployments", "list-endpoints", "-t", "openai", env=env)
    assert (result.returncode, result.stderr.strip()) == (1, message)


def test_openai_predict_needs_a_chat_payload(mlf, tmp_path):
    (tmp_path / "x.json").write_text('{"prompt": "hi"}')
    result = mlf("deployments", "predict", "-t", "openai", "--endpoint", "m", "-I", str(tmp_path / "x.json"),
                 env={"OPENAI_API_KEY": "k"})
    assert result.stderr == 'Error: openai predict takes a chat payload: a JSON object with a "messages" list\n'


def _databricks(request):
    if request.path == "/api/2.0/serving-endpoints" and request.method == "GET":
        return 200, {"endpoints": [{"name": "chat", "state": {"ready": "READY"}}]}
    if request.path == "/api/2.0/serving-endpoints" and request.method == "POST":
        return 200, {"name": request.body["name"], "state": {"ready": "NOT_READY"}}
    if request.path == "/api/2.0/serving-endpoints/chat" and request.method == "GET":
        return 200, {"name": "chat", "creator": "me@example.com"}
    if request.path.startswith("/api/2.0/serving-endpoints/chat"):
        return 200, {}
    if request.path == "/serving-endpoints/chat/invocations":
        return 200, {"predictions": [1, 0]}
    return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Endpoint nope not found"}


def test_databricks_target_with_env_credentials(mlf, tmp_path):
    (tmp_path / "rows.csv").write_text("a,b\n1,2\n3,4\n")
    with fake_service(_databricks) as (url, seen):
        env = {"DATABRICKS_HOST": url, "DATABRICKS_TOKEN": "dapi-1", **NO_RETRIES}
        results = [
            mlf("deployments", "create-endpoint", "-t", "databricks", "--endpoint", "chat",
                "-C", 'config={"served_entities": [{"entity_name": "m"}]}', "-C", "route_optimized=false", env=env),
            mlf("deployments", "update-endpoint", "-t", "databricks", "--endpoint", "chat",
                "-C", 'served_entities=[{"entity_name": "m2"}]', env=env),
            mlf("deployments", "update-endpoint", "-t", "databricks", "--endpoint", "chat",
                "-C", 'rate_limits=[{"calls": 10, "renewal_period": "minute"}]', env=env),
            mlf("deployments", "list-endpoints", "-t", "databricks", env=env),
            mlf("deployments", "get-endpoint", "-t", "databricks", "--endpoint", "chat", env=env),
            mlf("deployments", "predict", "-t", "databricks", "--endpoint", "chat", "-I", str(tmp_path / "rows.csv"),
                env=env),
            mlf("deployments", "delete-endpoint", "-t", "databricks", "--endpoint", "chat", env=env),
            mlf("deployments", "get-endpoint", "-t", "databricks", "--endpoint", "nope", env=env),
        ]
    assert [r.returncode for r in results] == [0] * 7 + [1], [r.stderr for r in results]
    assert [r.stdout for r in results[:5]] == [
        "\nEndpoint chat is created\n", "\nEndpoint chat is updated\n", "\nEndpoint chat is updated\n",
        "List of all endpoints:\n[{'name': 'chat', 'state': {'ready': 'READY'}}]\n",
        "name: chat\ncreator: me@example.com\n\n\n"]
    assert json.loads(results[5].stdout) == {"predictions": [1, 0]}
    assert results[6].stdout == "\nEndpoint chat is deleted\n"
    assert results[7].stderr == (f"Error: Databricks answered 404 to GET {url}/api/2.0/serving-endpoints/nope: "
                                 "Endpoint nope not found\n")
    assert [(r.method, r.path) for r in seen] == [
        ("POST", "/api/2.0/serving-endpoints"), ("PUT", "/api/2.0/serving-endpoints/chat/config"),
        ("PUT", "/api/2.0/serving-endpoints/chat/rate-limits"), ("GET", "/api/2.0/serving-endpoints"),
        ("GET", "/api/2.0/serving-endpoints/chat"), ("POST", "/serving-endpoints/chat/invocations"),
        ("DELETE", "/api/2.0/serving-endpoints/chat"), ("GET", "/api/2.0/serving-endpoints/nope")]
    assert seen[0].body == {"name": "chat", "config": {"served_entities": [{"entity_name": "m"}]},
                            "route_optimized": "false"}
    assert seen[1].body == {"served_entities": [{"entity_name": "m2"}]}
    assert seen[2].body == {"rate_limits": [{"calls": 10, "renewal_period": "minute"}]}
    assert seen[5].body == {"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3, 4]]}}
    assert all(r.headers["authorization"] == "Bearer dapi-1" for r in seen)
    assert all(r.headers["x-databricks-endpoints-api-client"] == "Databricks Deployment Client" for r in seen)


def test_databricks_profile_from_databrickscfg(mlf, tmp_path):
    with fake_service(_databricks) as (url, seen):
        (tmp_path / ".databrickscfg").write_text(f"[DEFAULT]\nhost = http://127.0.0.1:9\ntoken = x\n\n"
                                                 f"[work]\nhost = {url}\ntoken = dapi-work\n")
        result = mlf("deployments", "list-endpoints", "-t", "databricks://work")
        missing = mlf("deployments", "list-endpoints", "-t", "databricks://home")
    assert result.returncode == 0, result.stderr
    assert seen[0].headers["authorization"] == "Bearer dapi-work"
    assert missing.stderr == (f"Error: Profile 'home' is not in {tmp_path / '.databrickscfg'} "
                              "(profiles there: DEFAULT, work)\n")


def test_databricks_without_credentials(mlf, tmp_path):
    result = mlf("deployments", "list-endpoints", "-t", "databricks")
    assert result.returncode == 1
    assert result.stderr == ("Error: No Databricks credentials: set DATABRICKS_HOST and DATABRICKS_TOKEN, or create "
                             f"{tmp_path / '.databrickscfg'}\n")


def test_openai_azure_ad_sends_a_bearer_token(mlf, chat_file):
    with fake_service(_openai) as (url, seen):
        env = {"OPENAI_API_KEY": "aad-token", "OPENAI_API_TYPE": "azure_ad", "OPENAI_API_BASE": url,
               "OPENAI_API_VERSION": "2024-06-01"}
        result = mlf("deployments", "predict", "-t", "openai", "--endpoint", "gpt-4o", "-I", chat_file, env=env)
    assert result.returncode == 0, result.stderr
    assert seen[0].path == "/openai/deployments/gpt-4o/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer aad-token"
    assert "api-key" not in seen[0].headers
