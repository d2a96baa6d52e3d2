"""The http target against a real `mlf gateway start` whose openai endpoint calls a fake OpenAI upstream."""

import json
import signal
import subprocess
import sys
import time

import pytest
import requests
import yaml

from tests.deployments.fake_services import fake_service, free_port

ANSWER = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from upstream"},
                       "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}}


@pytest.fixture
def gateway(tmp_path):
    """(gateway URL, upstream requests) for a gateway with one chat endpoint backed by the fake upstream."""
    with fake_service(lambda request: (200, ANSWER)) as (upstream, seen):
        config = {"endpoints": [{"name": "chat", "endpoint_type": "llm/v1/chat", "model": {
            "provider": "openai", "name": "gpt-4o-mini",
            "config": {"openai_api_key": "sk-up", "openai_api_base": upstream + "/v1"}}}]}
        (tmp_path / "gateway.yaml").write_text(yaml.safe_dump(config))
        port = free_port()
        process = subprocess.Popen([sys.executable, "-m", "runtime", "gateway", "start", "--config-path",
                                    str(tmp_path / "gateway.yaml"), "--port", str(port), "--workers", "1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(url + "/health", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "gateway did not become healthy"
                time.sleep(0.1)
            yield url, seen
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def test_http_target_against_mlf_gateway(mlf, gateway, tmp_path):
    url, upstream_requests = gateway
    (tmp_path / "chat.json").write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}))
    listed = mlf("deployments", "list-endpoints", "-t", url)
    got = mlf("deployments", "get-endpoint", "-t", url, "--endpoint", "chat")
    predicted = mlf("deployments", "predict", "-t", url, "--endpoint", "chat", "-I", str(tmp_path / "chat.json"))
    missing = mlf("deployments", "get-endpoint", "-t", url, "--endpoint", "nope",
                  env={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("List of all endpoints:\n[{'name': 'chat'")
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith("name: chat\n") and "endpoint_type: llm/v1/chat\n" in got.stdout
    assert f"endpoint_url: {url}/gateway/chat/invocations\n" in got.stdout
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout)["choices"][0]["message"]["content"] == "Hello from upstream"
    assert upstream_requests[-1].path == "/v1/chat/completions"
    assert upstream_requests[-1].body["messages"] == [{"role": "user", "content": "hi"}]
    assert missing.returncode == 1
    assert missing.stderr.startswith(f"Error: The AI gateway answered 404 to GET {url}/api/2.0/endpoints/nope: ")
    assert len(missing.stderr.splitlines()) == 1
