"""Third-party providers: a class registered under the `mlflow.gateway.providers` entry-point
group serves `model.provider: <entry point name>`, and MLFLOW_GATEWAY_ALLOWED_PROVIDERS can refuse it."""

import sys
import textwrap

import pytest

from runtime.gateway.config import GatewayConfigError, parse_config
from tests.gateway.conftest import endpoint

PLUGIN = textwrap.dedent('''
    from runtime.gateway.providers.base import Provider, chat_response, usage


    class EchoProvider(Provider):
        """Answers every chat with the last message, reversed, and the configured greeting."""

        NAME = "echo"
        SECRET_KEYS = frozenset({"echo_key"})

        @classmethod
        def check_config(cls, config, endpoint_type, model_name):
            config.setdefault("greeting", "hello")
            return config

        async def invoke(self, http, kind, payload):
            text = payload["messages"][-1]["content"][::-1]
            message = {"role": "assistant", "content": f"{self.config['greeting']} {text} {self.config['echo_key']}"}
            return chat_response(self.NAME, self.model, [{"index": 0, "message": message, "finish_reason": "stop"}],
                                 usage(1, 1))
''')


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    (tmp_path / "mlf_echo_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "mlf_echo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mlf-echo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[mlflow.gateway.providers]\necho = mlf_echo_plugin:EchoProvider\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("mlf_echo_plugin", None)


def test_entry_point_provider_serves_requests(plugin, gateway):
    client = gateway({"endpoints": [endpoint("chat", "llm/v1/chat", "echo", "e1", {"echo_key": "$ECHO_KEY"})]},
                     env={"ECHO_KEY": "k9"})
    answer = client.post("/v1/chat/completions", json={"model": "chat", "messages": [{"role": "user", "content": "abc"}]})
    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["content"] == "hello cba k9"
    assert answer.json()["provider"] == "echo"


def test_allowed_providers_refuse_a_plugin(plugin):
    document = {"endpoints": [endpoint("chat", "llm/v1/chat", "echo", "e1", {"echo_key": "x"})]}
    with pytest.raises(GatewayConfigError, match="Provider 'echo' is not allowed"):
        parse_config(document, {"MLFLOW_GATEWAY_ALLOWED_PROVIDERS": "openai"})
    assert parse_config(document, {"MLFLOW_GATEWAY_ALLOWED_PROVIDERS": "openai,echo"}).endpoints["chat"].provider == "echo"
