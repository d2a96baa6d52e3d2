"""State-changing requests from look-alike origins are refused with the default allowed origins."""

import pytest

from runtime.server.security import origin_allowed
from tests.server.conftest import api


@pytest.mark.parametrize("origin", ["http://localhost:1@evil.com", "http://localhost:80.evil.com",
                                    "http://127.0.0.1:1@evil.com", "http://[::2]:5000", "http://localhost:5000/x"])
def test_look_alike_origin_cannot_create_an_experiment(client, origin):
    response = client.post(api("/experiments/create"), json={"name": "from-" + origin}, headers={"Origin": origin})
    assert response.status_code == 403
    names = [e["name"] for e in client.post(api("/experiments/search"), json={"max_results": 10}).json()["experiments"]]
    assert names == ["Default"]


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1", "http://[::1]:5000", "http://[::1]"])
def test_local_origins_are_allowed_by_default(origin):
    assert origin_allowed(origin, None)
