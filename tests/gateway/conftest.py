import pytest
import yaml
from starlette.testclient import TestClient

from tests.gateway.fake_upstream import FakeUpstream


@pytest.fixture
def upstream():
    fake = FakeUpstream().start()
    yield fake
    fake.stop()


@pytest.fixture
def gateway(tmp_path, monkeypatch):
    """gateway(config_dict, **env) -> a TestClient on mlf's gateway app serving that config."""
    clients = []

    def make(config, env=None):
        from runtime.gateway.app import Gateway, build_app

        path = tmp_path / "gateway.yaml"
        path.write_text(yaml.safe_dump(config))
        environ = dict(env or {})
        client = TestClient(build_app(Gateway(str(path), environ)))
        client.__enter__()
        clients.append(client)
        client.config_path = path
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def endpoint(name, endpoint_type, provider, model, config, limit=None):
    entry = {"name": name, "endpoint_type": endpoint_type, "model": {"provider": provider, "name": model, "config": config}}
    if limit:
        entry["limit"] = limit
    return entry
