"""Security options of `mlf server`: --allowed-hosts, --cors-allowed-origins, --x-frame-options,
--disable-security-middleware, and the headers every response carries."""

import pytest

from runtime.server.security import host_allowed, origin_allowed, split_host_port
from tests.server.conftest import make_client

SEARCH = "/api/2.0/mlflow/experiments/search"
CREATE = "/api/2.0/mlflow/experiments/create"


@pytest.mark.parametrize("header, expected", [
    ("example.com", ("example.com", None)),
    ("Example.COM:8080", ("example.com", "8080")),
    ("[::1]:5000", ("::1", "5000")),
    ("[::1]", ("::1", None)),
])
def test_host_headers_split_into_host_and_port(header, expected):
    assert split_host_port(header) == expected


@pytest.mark.parametrize("host, patterns, allowed", [
    ("mlflow.company.com", ["mlflow.company.com"], True),
    ("mlflow.company.com:443", ["mlflow.company.com"], True),
    ("other.company.com", ["mlflow.company.com"], False),
    ("10.0.0.100:5000", ["10.0.0.100:5000"], True),
    ("10.0.0.100:5001", ["10.0.0.100:5000"], False),
    ("192.168.4.2", ["192.168.*"], True),
    ("app-7.internal.com", ["app-*.internal.com"], True),
    ("app.internal.com.evil.org", ["app-*.internal.com"], False),
    ("anything.at.all:1", ["*"], True),
    ("localhost:5000", ["mlflow.company.com"], False),
])
def test_allowed_host_patterns(host, patterns, allowed):
    assert host_allowed(host, patterns) is allowed


@pytest.mark.parametrize("origin, patterns, allowed", [
    ("http://localhost:3000", None, True),
    ("http://127.0.0.1:5000", None, True),
    ("https://app.company.com", None, False),
    ("https://app.company.com", ["https://app.company.com"], True),
    ("https://notebook.company.com", ["https://app.company.com", "https://notebook.company.com"], True),
    ("https://evil.com", ["https://*.company.com"], False),
    ("https://x.company.com", ["https://*.company.com"], True),
    ("https://evil.com", ["*"], True),
])
def test_allowed_origin_patterns(origin, patterns, allowed):
    assert origin_allowed(origin, patterns) is allowed


def test_every_response_carries_nosniff_and_frame_options(tmp_path):
    client, _ = make_client(tmp_path)
    with client:
        for response in (client.get("/health"), client.get(SEARCH), client.get("/missing"),
                         client.post(CREATE, json={})):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize("value, expected", [("DENY", "DENY"), ("sameorigin", "SAMEORIGIN"), ("NONE", None)])
def test_x_frame_options_is_configurable(tmp_path, value, expected):
    client, _ = make_client(tmp_path, x_frame_options=value)
    with client:
        assert client.get("/health").headers.get("x-frame-options") == expected


def test_configured_allowed_hosts_replace_the_default(tmp_path):
    client, _ = make_client(tmp_path, allowed_hosts="mlflow.company.com,*.internal")
    with client:
        assert client.get(SEARCH, headers={"Host": "mlflow.company.com"}).status_code == 200
        assert client.get(SEARCH, headers={"Host": "db.internal:5000"}).status_code == 200
        refused = client.get(SEARCH, headers={"Host": "localhost:5000"})
        assert (refused.status_code, refused.json()["error_code"]) == (403, "PERMISSION_DENIED")
        # Load balancer probes reach /health whatever Host they send.
        assert client.get("/health", headers={"Host": "10.9.9.9:80"}).status_code == 200


def test_cors_grants_configured_origins_and_answers_preflight(tmp_path):
    client, _ = make_client(tmp_path, cors_allowed_origins="https://app.company.com")
    with client:
        ok = client.post(CREATE, json={"name": "from-app"}, headers={"Origin": "https://app.company.com"})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://app.company.com"
        preflight = client.options(CREATE, headers={
            "Origin": "https://app.company.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        })
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.company.com"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        refused = client.options(CREATE, headers={"Origin": "http://localhost:3000",
                                                  "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 403
        refused = client.post(CREATE, json={"name": "from-localhost"}, headers={"Origin": "http://localhost:3000"})
        assert refused.status_code == 403


def test_same_origin_requests_are_always_allowed(tmp_path):
    client, _ = make_client(tmp_path)
    with client:
        response = client.post(CREATE, json={"name": "ui"}, headers={"Origin": "http://localhost:5000"})
        assert response.status_code == 200


def test_disable_security_middleware_turns_checks_off(tmp_path):
    client, _ = make_client(tmp_path, disable_security_middleware=True)
    with client:
        assert client.get(SEARCH, headers={"Host": "evil.example.com"}).status_code == 200
        response = client.post(CREATE, json={"name": "anyone"}, headers={"Origin": "http://evil.example.com"})
        assert response.status_code == 200
        assert "x-frame-options" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        # The JSON endpoints still only read JSON.
        text = client.post(CREATE, content=b'{"name": "t"}', headers={"Content-Type": "text/plain"})
        assert (text.status_code, text.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")


def test_artifact_uploads_may_use_any_content_type(tmp_path):
    client, config = make_client(tmp_path)
    with client:
        for content_type in ("text/plain", "application/octet-stream", "image/png"):
            response = client.put("/api/2.0/mlflow-artifacts/artifacts/1/f.bin", content=b"x",
                                  headers={"Content-Type": content_type})
            assert response.status_code == 200, (content_type, response.text)


def test_downloads_are_attachments_with_length(tmp_path):
    client, _ = make_client(tmp_path)
    with client:
        client.put("/api/2.0/mlflow-artifacts/artifacts/1/page.html", content=b"<script>alert(1)</script>",
                   headers={"Content-Type": "text/html"})
        response = client.get("/api/2.0/mlflow-artifacts/artifacts/1/page.html")
        assert response.headers["content-disposition"] == 'attachment; filename="page.html"'
        assert response.headers["content-length"] == "25"
        assert response.headers["x-content-type-options"] == "nosniff"
