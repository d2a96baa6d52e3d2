"""`mlf gateway start` as a real process: start-up errors, the real mlflow deployments client
and the official OpenAI SDK as peers, several workers sharing one rate limit, and SIGTERM
leaving no process behind."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import httpx
import pytest
import yaml

from tests.gateway.conftest import endpoint
from tests.gateway.fake_upstream import free_port, sse
from tests.support.mlflow_venv import mlflow_python

ANSWER = {"id": "chatcmpl-9", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from fake"}, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}}
MLF = [sys.executable, "-m", "runtime"]


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
                found.extend(_children(int(entry)))
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def running_gateway(tmp_path, upstream):
    processes = []

    def start(config, workers=1, env=None):
        path = tmp_path / "gateway.yaml"
        path.write_text(yaml.safe_dump(config))
        port = free_port()
        process = subprocess.Popen(MLF + ["gateway", "start", "--config-path", str(path), "--port", str(port),
                                          "--workers", str(workers)],
                                   env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "gateway did not become healthy"
            time.sleep(0.1)
        process.url = url
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_unset_variable_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump({"endpoints": [endpoint("chat", "llm/v1/chat", "openai", "m", {"openai_api_key": "$NO_SUCH_KEY_VAR"})]}))
    env = {k: v for k, v in os.environ.items() if k != "NO_SUCH_KEY_VAR"}
    result = subprocess.run(MLF + ["gateway", "start", "--config-path", str(path)], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == ("Error: Invalid value for '--config-path': Environment variable 'NO_SUCH_KEY_VAR' is not set")


def test_mlflow_client_and_openai_sdk_against_mlf_gateway(running_gateway, upstream):
    from tests.gateway.peer_venvs import openai_python

    upstream.default = ("json", 200, ANSWER)
    config = {"endpoints": [endpoint("chat", "llm/v1/chat", "openai", "gpt-4o-mini",
                                     {"openai_api_key": "$FAKE_OPENAI_KEY", "openai_api_base": upstream.url + "/v1"},
                                     {"calls": 100, "renewal_period": "minute"})]}
    gateway = running_gateway(config, workers=1, env={"FAKE_OPENAI_KEY": "sk-env"})
    script = textwrap.dedent(f"""
        import json
        from mlflow.deployments import get_deploy_client
        client = get_deploy_client("{gateway.url}")
        listed = client.list_endpoints()
        got = client.get_endpoint("chat")
        answer = client.predict(endpoint="chat", inputs={{"messages": [{{"role": "user", "content": "Hi"}}]}})
        print(json.dumps({{"listed": [e.name for e in listed], "type": got.endpoint_type,
                          "provider": got.model.provider, "answer": answer}}))
    """)
    result = subprocess.run([mlflow_python(), "-c", script], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["listed"] == ["chat"] and out["type"] == "llm/v1/chat" and out["provider"] == "openai"
    assert out["answer"]["choices"][0]["message"]["content"] == "Hello from fake"
    assert upstream.requests[0].headers["authorization"] == "Bearer sk-env"

    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
             "choices": [{"index": 0, "delta": {"content": "str"}, "finish_reason": None}]}
    upstream.reply(ANSWER)
    upstream.reply_stream(sse(chunk, {**chunk, "choices": [{"index": 0, "delta": {"content": "eam"}, "finish_reason": "stop"}]}))
    upstream.reply({"object": "list", "data": [{"object": "embedding", "embedding": [0.5], "index": 0}], "model": "e",
                    "usage": {"prompt_tokens": 1, "total_tokens": 1}})
    sdk = textwrap.dedent(f"""
        import json
        from openai import OpenAI
        client = OpenAI(base_url="{gateway.url}/v1", api_key="unused")
        chat = client.chat.completions.create(model="chat", messages=[{{"role": "user", "content": "Hi"}}])
        stream = client.chat.completions.create(model="chat", messages=[{{"role": "user", "content": "Hi"}}], stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        print(json.dumps({{"chat": chat.choices[0].message.content, "stream": text}}))
    """)
    result = subprocess.run([openai_python(), "-c", sdk], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"chat": "Hello from fake", "stream": "stream"}


def test_workers_share_the_limit_and_sigterm_leaves_no_process(running_gateway, upstream):
    upstream.default = ("json", 200, ANSWER)
    config = {"endpoints": [endpoint("chat", "llm/v1/chat", "openai", "m", {"openai_api_key": "k", "openai_api_base": upstream.url},
                                     {"calls": 6, "renewal_period": "minute"})]}
    gateway = running_gateway(config, workers=2)
    codes = []
    for _ in range(10):  # new connections, so both workers answer
        with httpx.Client() as client:
            codes.append(client.post(gateway.url + "/v1/chat/completions",
                                     json={"model": "chat", "messages": [{"role": "user", "content": "x"}]}).status_code)
    assert codes.count(200) == 6 and codes.count(429) == 4
    family = _children(gateway.pid)
    assert len(family) >= 2
    gateway.send_signal(signal.SIGTERM)
    assert gateway.wait(30) == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in family):
        assert time.monotonic() < deadline, "a worker outlived SIGTERM"
        time.sleep(0.1)
