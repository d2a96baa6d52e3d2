"""Issue 3's bad-input list against a real `mlf server` process: each case a clear 4xx JSON error,
and nothing read, written or deleted outside where it belongs.

Raw request targets go out through http.client so that no client library
normalises '..' or percent escapes before the server sees them.
"""

import http.client
import json
import os

import pytest
import requests

from tests.server.live_server import LiveServer

SECRET = b"top secret, outside the artifact root\n"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"

# Every spelling of "go up out of the artifact root" we could think of.
TRAVERSALS = [
    "../secret.txt",
    "a/../../secret.txt",
    "a/b/../../../secret.txt",
    "%2e%2e/secret.txt",
    "%2E%2E%2Fsecret.txt",
    "a/%2e%2e/%2e%2e/secret.txt",
    "%252e%252e/secret.txt",
    "%252e%252e%252fsecret.txt",
    "..%2fsecret.txt",
    "..%5csecret.txt",
    "..%255csecret.txt",
    "..;/secret.txt",
    "..%3b/secret.txt",
    "..%3f/secret.txt",
    "..%23/secret.txt",
    "..?/secret.txt",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "%252fetc%252fpasswd",
    "C:/secret.txt",
    "a%00b.txt",
    "a%2500b.txt",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("badinput")
    (base / "secret.txt").write_bytes(SECRET)
    destination = base / "root" / "artifacts"
    destination.mkdir(parents=True)
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    os.symlink(outside, destination / "link")
    os.symlink(outside / "secret.txt", destination / "file-link")
    with LiveServer(f"sqlite:///{base / 'mlf.db'}", destination) as live:
        live.base = base
        live.destination = destination
        live.outside = outside
        yield live


def raw(server, method, target, body=None, headers=None):
    """(status, headers, body) for a request line sent exactly as given."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        all_headers = {"Content-Length": str(len(body or b""))}
        all_headers.update(headers or {})
        for name, value in all_headers.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def assert_json_error(status, headers, body, code="INVALID_PARAMETER_VALUE", statuses=(400,)):
    assert status in statuses, (status, body)
    assert headers.get("content-type", "").startswith("application/json"), (headers, body)
    error = json.loads(body)
    assert error["error_code"] == code, error
    assert error["message"]


def files_outside_unchanged(server):
    for path in (server.base / "secret.txt", server.outside / "secret.txt"):
        assert path.read_bytes() == SECRET
    assert sorted(os.listdir(server.outside)) == ["secret.txt"]
    assert sorted(os.listdir(server.base)) == sorted(["secret.txt", "root", "outside", "mlf.db"])


# ---- artifact paths ----------------------------------------------------------
@pytest.mark.parametrize("path", TRAVERSALS)
def test_download_refuses_traversal(server, path):
    status, headers, body = raw(server, "GET", f"{ARTIFACTS}/{path}")
    assert SECRET not in body
    assert_json_error(status, headers, body)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_upload_refuses_traversal(server, path):
    status, headers, body = raw(server, "PUT", f"{ARTIFACTS}/{path}", b"overwritten",
                                {"Content-Type": "application/octet-stream"})
    assert_json_error(status, headers, body)
    files_outside_unchanged(server)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_delete_refuses_traversal(server, path):
    status, headers, body = raw(server, "DELETE", f"{ARTIFACTS}/{path}")
    assert_json_error(status, headers, body)
    files_outside_unchanged(server)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_list_refuses_traversal(server, path):
    query = path.replace("?", "%3f").replace("/", "%2f") if not path.startswith("%") else path
    status, headers, body = raw(server, "GET", f"{ARTIFACTS}?path={query}")
    assert b'"files"' not in body
    assert_json_error(status, headers, body)


def test_fragment_in_request_target_is_refused(server):
    status, headers, body = raw(server, "GET", f"{ARTIFACTS}/..#/secret.txt")
    assert SECRET not in body
    assert status == 400


@pytest.mark.parametrize("path", ["link/secret.txt", "file-link"])
def test_symlinks_leading_outside_are_not_followed_for_download(server, path):
    status, headers, body = raw(server, "GET", f"{ARTIFACTS}/{path}")
    assert SECRET not in body
    assert_json_error(status, headers, body)


def test_symlinks_leading_outside_are_not_followed_for_upload_list_delete(server):
    status, headers, body = raw(server, "PUT", f"{ARTIFACTS}/link/new.txt", b"x", {"Content-Type": "text/plain"})
    assert_json_error(status, headers, body)
    status, headers, body = raw(server, "GET", f"{ARTIFACTS}?path=link")
    assert_json_error(status, headers, body)
    status, headers, body = raw(server, "DELETE", f"{ARTIFACTS}/link/secret.txt")
    assert_json_error(status, headers, body)
    status, headers, body = raw(server, "DELETE", f"{ARTIFACTS}/file-link")
    assert_json_error(status, headers, body)
    files_outside_unchanged(server)


def test_legitimate_paths_still_work(server):
    status, _, _ = raw(server, "PUT", f"{ARTIFACTS}/ok/dir/file%20name.txt", b"fine", {"Content-Type": "text/plain"})
    assert status == 200
    assert (server.destination / "ok" / "dir" / "file name.txt").read_bytes() == b"fine"
    status, _, body = raw(server, "GET", f"{ARTIFACTS}/ok/dir/file%20name.txt")
    assert (status, body) == (200, b"fine")


# ---- artifact locations ----------------------------------------------------------
@pytest.mark.parametrize("location", [
    "/etc",
    "file:///etc",
    "../outside",
    "{base}/outside",
    "file://{base}/outside",
    "{destination}/../../outside",
    "file://{destination}/..%2f..%2foutside",
    "mlflow-artifacts:/../x",
    "s3://bucket/a/../../x",
    "file://{destination}/x?y=1",
    "file://{destination}/x#frag",
    "runs:/abc/artifacts",
])
def test_experiment_artifact_location_outside_the_root_is_refused(server, location):
    location = location.format(base=server.base, destination=server.destination)
    response = requests.post(server.url + "/api/2.0/mlflow/experiments/create",
                             json={"name": f"loc-{abs(hash(location))}", "artifact_location": location})
    assert_json_error(response.status_code, response.headers, response.content)
    found = requests.get(server.url + "/api/2.0/mlflow/experiments/get-by-name",
                         params={"experiment_name": f"loc-{abs(hash(location))}"})
    assert found.status_code == 404


@pytest.mark.parametrize("location", ["{destination}/exp-inside", "file://{destination}/exp-inside-uri",
                                      "s3://bucket/prefix", "mlflow-artifacts:/custom"])
def test_artifact_locations_inside_the_root_or_remote_are_accepted(server, location):
    location = location.format(destination=server.destination)
    response = requests.post(server.url + "/api/2.0/mlflow/experiments/create",
                             json={"name": f"ok-{abs(hash(location))}", "artifact_location": location})
    assert response.status_code == 200, response.text


# ---- ids and keys ------------------------------------------------------------------
@pytest.fixture(scope="module")
def run_id(server):
    experiment = requests.post(server.url + "/api/2.0/mlflow/experiments/create", json={"name": "ids"}).json()
    run = requests.post(server.url + "/api/2.0/mlflow/runs/create",
                        json={"experiment_id": experiment["experiment_id"]}).json()
    return run["run"]["info"]["run_id"]


BAD_IDS = ["../0", "..", "a/b", "0/../0", "abc$", "a b", "a%00b", "x" * 300, "%2e%2e"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_run_ids_are_refused(server, bad):
    for method, path, body in [
        ("GET", "/api/2.0/mlflow/runs/get", {"run_id": bad}),
        ("POST", "/api/2.0/mlflow/runs/log-parameter", {"run_id": bad, "key": "k", "value": "v"}),
        ("POST", "/api/2.0/mlflow/runs/delete", {"run_id": bad}),
        ("GET", "/api/2.0/mlflow/artifacts/list", {"run_id": bad}),
    ]:
        if method == "GET":
            response = requests.get(server.url + path, params=body)
        else:
            response = requests.post(server.url + path, json=body)
        assert_json_error(response.status_code, response.headers, response.content)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_experiment_ids_are_refused(server, bad):
    response = requests.get(server.url + "/api/2.0/mlflow/experiments/get", params={"experiment_id": bad})
    assert_json_error(response.status_code, response.headers, response.content)
    response = requests.post(server.url + "/api/2.0/mlflow/experiments/delete", json={"experiment_id": bad})
    assert_json_error(response.status_code, response.headers, response.content)
    response = requests.post(server.url + "/api/2.0/mlflow/runs/create", json={"experiment_id": bad})
    assert_json_error(response.status_code, response.headers, response.content)


@pytest.mark.parametrize("key", ["..", "../x", "a/../b", "/abs", "a\\b", "a\x00b", "k" * 251, "bad$key"])
def test_bad_keys_are_refused_and_nothing_is_logged(server, run_id, key):
    for path, body in [
        ("/runs/log-parameter", {"run_id": run_id, "key": key, "value": "v"}),
        ("/runs/set-tag", {"run_id": run_id, "key": key, "value": "v"}),
        ("/runs/log-metric", {"run_id": run_id, "key": key, "value": 1.0, "timestamp": 1}),
        ("/runs/log-batch", {"run_id": run_id, "metrics": [{"key": key, "value": 1.0, "timestamp": 1}]}),
    ]:
        response = requests.post(server.url + "/api/2.0/mlflow" + path, json=body)
        assert_json_error(response.status_code, response.headers, response.content)
    run = requests.get(server.url + "/api/2.0/mlflow/runs/get", params={"run_id": run_id}).json()["run"]
    logged = [e["key"] for part in ("params", "metrics", "tags") for e in run["data"].get(part, [])]
    assert key not in logged


# ---- limits ------------------------------------------------------------------------
@pytest.mark.parametrize("path, body", [
    ("/runs/log-parameter", {"key": "long-param", "value": "v" * 6001}),
    ("/runs/set-tag", {"key": "long-tag", "value": "v" * 8001}),
    ("/runs/log-metric", {"key": "m" * 251, "value": 1.0, "timestamp": 1}),
    ("/runs/log-batch", {"metrics": [{"key": f"m{i}", "value": 1.0, "timestamp": 1} for i in range(1001)]}),
    ("/runs/log-batch", {"params": [{"key": f"p{i}", "value": "v"} for i in range(101)]}),
    ("/runs/log-batch", {"tags": [{"key": f"t{i}", "value": "v"} for i in range(101)]}),
    ("/runs/log-batch", {"params": [{"key": "fine", "value": "v"}, {"key": "too-long", "value": "v" * 6001}]}),
    ("/runs/update", {"run_name": "n" * 251}),
])
def test_values_over_mlflows_limits_are_invalid_parameter_value(server, run_id, path, body):
    response = requests.post(server.url + "/api/2.0/mlflow" + path, json={"run_id": run_id, **body})
    assert_json_error(response.status_code, response.headers, response.content)
    run = requests.get(server.url + "/api/2.0/mlflow/runs/get", params={"run_id": run_id}).json()["run"]
    assert "fine" not in [p["key"] for p in run["data"].get("params", [])], "a refused batch must log nothing"


def test_values_at_the_limits_are_accepted(server, run_id):
    body = {"run_id": run_id, "key": "p" * 250, "value": "v" * 6000}
    assert requests.post(server.url + "/api/2.0/mlflow/runs/log-parameter", json=body).status_code == 200
    batch = {"run_id": run_id, "metrics": [{"key": "m", "value": float(i), "timestamp": 1, "step": i} for i in range(1000)]}
    assert requests.post(server.url + "/api/2.0/mlflow/runs/log-batch", json=batch).status_code == 200
    experiment_name = requests.post(server.url + "/api/2.0/mlflow/experiments/create", json={"name": "x" * 501})
    assert_json_error(experiment_name.status_code, experiment_name.headers, experiment_name.content)


# ---- request form ------------------------------------------------------------------
@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b'{"name": "sneaky-text"}'),
    ("text/plain;charset=UTF-8", b'{"name": "sneaky-text2"}'),
    ("application/x-www-form-urlencoded", b"name=sneaky-form"),
    ("multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nsneaky-multipart\r\n--xyz--\r\n'),
    ("application/xml", b"<name>sneaky-xml</name>"),
])
def test_non_json_bodies_on_json_endpoints_are_refused(server, content_type, body):
    status, headers, payload = raw(server, "POST", "/api/2.0/mlflow/experiments/create", body,
                                   {"Content-Type": content_type, "Host": f"127.0.0.1:{server.port}"})
    assert_json_error(status, headers, payload)
    names = [e["name"] for e in requests.post(server.url + "/api/2.0/mlflow/experiments/search",
                                               json={"max_results": 1000}).json()["experiments"]]
    assert not any(name.startswith("sneaky") for name in names)


def test_malformed_json_and_non_object_bodies_are_refused(server):
    for body in (b"{not json", b"[1, 2]", b"42", b'"just a string"'):
        status, headers, payload = raw(server, "POST", "/api/2.0/mlflow/experiments/create", body,
                                       {"Content-Type": "application/json", "Host": f"127.0.0.1:{server.port}"})
        assert_json_error(status, headers, payload)


def test_missing_content_type_on_post_with_body_is_refused(server):
    status, headers, payload = raw(server, "POST", "/api/2.0/mlflow/experiments/create", b'{"name": "no-ctype"}',
                                   {"Host": f"127.0.0.1:{server.port}"})
    assert_json_error(status, headers, payload)


# ---- Host and Origin -----------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example.com", "evil.example.com:5000", "8.8.8.8", "[2606:4700::1111]:80", "169.254.169.254", "100.64.0.1", ""])
def test_hosts_that_are_not_allowed_are_refused(server, host):
    status, headers, body = raw(server, "GET", "/api/2.0/mlflow/experiments/search", None, {"Host": host})
    assert_json_error(status, headers, body, code="PERMISSION_DENIED", statuses=(403,))


@pytest.mark.parametrize("host", ["localhost:5000", "127.0.0.1", "[::1]:80", "10.1.2.3:5000", "192.168.0.7", "172.16.4.4"])
def test_local_and_private_hosts_are_allowed_by_default(server, host):
    status, _, _ = raw(server, "GET", "/api/2.0/mlflow/experiments/search?max_results=1", None, {"Host": host})
    assert status == 200


@pytest.mark.parametrize("origin", ["http://evil.example.com", "null", "https://localhost.evil.com"])
def test_foreign_origin_on_state_changing_request_is_refused(server, origin):
    response = requests.post(server.url + "/api/2.0/mlflow/experiments/create", json={"name": f"cors-{origin}"},
                             headers={"Origin": origin})
    assert_json_error(response.status_code, response.headers, response.content, "PERMISSION_DENIED", (403,))
    assert "access-control-allow-origin" not in response.headers
    assert requests.get(server.url + "/api/2.0/mlflow/experiments/get-by-name",
                        params={"experiment_name": f"cors-{origin}"}).status_code == 404


def test_foreign_origin_may_read_but_gets_no_cors_grant(server):
    response = requests.get(server.url + "/api/2.0/mlflow/experiments/search?max_results=1",
                            headers={"Origin": "http://evil.example.com"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
