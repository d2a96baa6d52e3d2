"""Route by route against real MLflow 3.17.2 wire samples (tests/data/reference/mlflow-wire-samples.json).

The samples are one real client session. We replay the requests of the
tracking and artifact endpoints in the same order against mlf (ids mapped
from the sample's to ours) and check each answer: status, content type and
the exact shape of the JSON (same field names at every level, same JSON
types, nothing extra), plus the values that do not depend on time or ids.
"""

import json
import re

import pytest

from tests.server.conftest import make_client
from tests.support.reference import reference_file

SAMPLES = reference_file("mlflow-wire-samples.json")
# Endpoints that belong to other areas (registry, logged models, traces) are checked by their own suites.
OTHER_AREAS = re.compile(r"logged-models|registered-models|model-versions|traces|/v1/")
# Fields of the sample that need server features outside this suite's scope.
NOT_SERVED = {"workspace"}
TIME_FIELDS = {"creation_time", "last_update_time", "start_time", "end_time", "timestamp"}


def load_samples():
    if not SAMPLES.exists():
        pytest.fail(f"wire samples not found at {SAMPLES}")
    return json.loads(SAMPLES.read_text(encoding="utf-8"))


def json_type(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def assert_same_shape(sample, ours, where="$", optional=()):
    """Same keys (minus NOT_SERVED and optional ones) and JSON types at every level."""
    assert json_type(sample) == json_type(ours), f"{where}: sample {json_type(sample)}, mlf {json_type(ours)}"
    if isinstance(sample, dict):
        expected = set(sample) - NOT_SERVED
        got = set(ours)
        assert got <= expected | set(optional), f"{where}: mlf sends extra fields {sorted(got - expected)}"
        missing = expected - got - set(optional)
        assert not missing, f"{where}: mlf leaves out {sorted(missing)}"
        for key in expected & got:
            assert_same_shape(sample[key], ours[key], f"{where}.{key}", optional)
    elif isinstance(sample, list) and sample and ours:
        sample, ours = sorted(sample, key=identity), sorted(ours, key=identity)
        for index in range(min(len(sample), len(ours))):
            assert_same_shape(sample[index], ours[index], f"{where}[{index}]", optional)


def identity(item):
    """What names a list element (its order in a list carries no meaning when ties are possible)."""
    if not isinstance(item, dict):
        return ""
    if "info" in item:
        return str(item["info"].get("run_id"))
    for key in ("experiment_id", "key", "path"):
        if key in item:
            return str(item[key])
    return ""


def strip_times(value):
    """value without time fields; key/value lists sorted by key (their order carries no meaning)."""
    if isinstance(value, dict):
        return {k: strip_times(v) for k, v in value.items() if k not in TIME_FIELDS and k not in NOT_SERVED}
    if isinstance(value, list):
        items = [strip_times(v) for v in value]
        if all(isinstance(v, dict) and "key" in v for v in items):
            items.sort(key=lambda v: v["key"])
        return items
    return value


def map_ids(value, mapping):
    """value with ids swapped: whole strings, or whole '/'-separated segments (artifact paths and URIs)."""
    if isinstance(value, dict):
        return {k: map_ids(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [map_ids(v, mapping) for v in value]
    if isinstance(value, str):
        if value in mapping:
            return mapping[value]
        return "/".join(mapping.get(part, part) for part in value.split("/"))
    return value


class Replay:
    """Sends sample requests with the sample's ids replaced by ours."""

    def __init__(self, client):
        self.client = client
        self.ids = {}

    def send(self, method, path, sample):
        from urllib.parse import parse_qsl, urlencode

        pairs = [(k, map_ids(v, self.ids)) for k, v in parse_qsl(sample["query"])]
        query = urlencode(pairs)
        url = path + (f"?{query}" if query else "")
        body = sample["request_body"]
        headers = {}
        content = None
        if body is not None:
            content = json.dumps(map_ids(body, self.ids))
            headers["Content-Type"] = sample["request_content_type"] or "application/json"
        return self.client.request(method, url, content=content, headers=headers)

    def unmap(self, value):
        return map_ids(value, {ours: theirs for theirs, ours in self.ids.items()})


@pytest.fixture(params=["sqlite", "file"])
def replay(request, tmp_path):
    test_client, _ = make_client(tmp_path, request.param)
    with test_client:
        yield Replay(test_client)


def test_replayed_client_session_matches_mlflow_answers(replay):
    samples = load_samples()
    run_path = None
    checked = []
    for key, sample in samples.items():
        method, path = key.split(" ", 1)
        if OTHER_AREAS.search(path) or key == "POST /api/2.0/mlflow/runs/outputs":
            continue
        if "{path}" in path:
            if method == "GET":  # the sample downloaded a text file logged earlier in its session
                path = path.replace("{path}", run_path + "/dir/a.txt")
                put = replay.client.put(path, content=b"a.txt\n", headers={"Content-Type": "text/plain"})
                assert put.status_code == 200, put.text
            else:
                path = path.replace("{path}", run_path + "/config/c.json")
        response = replay.send(method, path, sample)
        assert response.status_code == sample["status"], f"{key}: {response.status_code} {response.text}"
        media = response.headers.get("content-type", "").split(";")[0]
        assert media == sample["response_content_type"].split(";")[0], f"{key}: content type {media!r}"
        if key == "POST /api/2.0/mlflow/experiments/create":
            replay.ids[sample["response_body"]["experiment_id"]] = response.json()["experiment_id"]
        if key == "POST /api/2.0/mlflow/runs/create":
            info = response.json()["run"]["info"]
            replay.ids[sample["response_body"]["run"]["info"]["run_id"]] = info["run_id"]
            run_path = info["artifact_uri"].replace("mlflow-artifacts:/", "")
        if sample["response_content_type"].startswith("application/json"):
            ours = replay.unmap(response.json())
            assert_same_shape(sample["response_body"], ours, key, optional=("outputs", "inputs", "model_outputs"))
            if key in VALUE_CHECKS:
                VALUE_CHECKS[key](sample["response_body"], ours)
        elif key.startswith("GET /api/2.0/mlflow-artifacts/artifacts/"):
            assert response.text == sample["response_body"]
            assert response.headers["content-disposition"].startswith("attachment")
            assert int(response.headers["content-length"]) == len(response.content)
        checked.append(key)
    assert len(checked) >= 18, checked


def _same_without_times(sample, ours):
    assert strip_times(ours) == strip_times(sample)


def _experiment_matches(sample, ours):
    # Same experiment as the sample, ids mapped back; times differ run to run.
    assert strip_times(ours["experiment"]) == strip_times(sample["experiment"])


def _history_matches(sample, ours):
    assert [(m["key"], m["value"], m["step"]) for m in ours["metrics"]] == [("loss", 1.0, 0)]
    assert set(ours["metrics"][0]) == set(sample["metrics"][0])


VALUE_CHECKS = {
    "POST /api/2.0/mlflow/experiments/create": _same_without_times,
    "GET /api/2.0/mlflow/experiments/get-by-name": _experiment_matches,
    "POST /api/2.0/mlflow/runs/create": _same_without_times,
    "POST /api/2.0/mlflow/runs/log-parameter": _same_without_times,
    "POST /api/2.0/mlflow/runs/update": _same_without_times,
    "GET /api/2.0/mlflow/metrics/get-history": _history_matches,
    "POST /api/2.0/mlflow/runs/delete": _same_without_times,
    "POST /api/2.0/mlflow/runs/restore": _same_without_times,
    "POST /api/2.0/mlflow/experiments/delete": _same_without_times,
}


def test_version_health_and_server_info(sqlite_client):
    samples = load_samples()
    version = sqlite_client.get("/version")
    assert version.text == samples["GET /version"]["response_body"]
    assert sqlite_client.get("/health").text == "OK"
    info = sqlite_client.get("/api/3.0/mlflow/server-info")
    assert_same_shape(samples["GET /api/3.0/mlflow/server-info"]["response_body"], info.json())
    assert info.json()["store_type"] == "SqlStore"
    assert sqlite_client.get("/ajax-api/3.0/mlflow/server-info").status_code == 200


def test_unknown_routes_answer_plain_text_404(sqlite_client):
    for path in ("/api/2.0/mlflow/no-such-thing", "/api/2.0/mlflow/experiments/create/extra", "/nothing"):
        response = sqlite_client.post(path, json={})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Not Found"


def test_every_tracking_rpc_is_served_on_api_and_ajax_api_paths(sqlite_client):
    from runtime.wire.protocol import rpc_info
    from runtime.server.routes_tracking import RPC_HANDLERS, SERVICE

    for rpc in RPC_HANDLERS:
        for method, path in rpc_info(SERVICE + rpc)["endpoints"]:
            response = sqlite_client.request(method, path, json={} if method != "GET" else None)
            assert response.status_code != 404 or response.headers["content-type"].startswith("application/json"), \
                f"{method} {path} is not routed"
            assert response.headers["content-type"].startswith("application/json"), f"{method} {path}"


def test_errors_have_mlflow_codes_and_statuses(sqlite_client):
    missing = sqlite_client.get("/api/2.0/mlflow/experiments/get?experiment_id=424242")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    by_name = sqlite_client.get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=nope")
    assert (by_name.status_code, by_name.json()["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    sqlite_client.post("/api/2.0/mlflow/experiments/create", json={"name": "dup"})
    dup = sqlite_client.post("/api/2.0/mlflow/experiments/create", json={"name": "dup"})
    assert (dup.status_code, dup.json()["error_code"]) == (400, "RESOURCE_ALREADY_EXISTS")
    no_name = sqlite_client.post("/api/2.0/mlflow/experiments/create", json={})
    assert (no_name.status_code, no_name.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert "name" in no_name.json()["message"]
    assert set(no_name.json()) == {"error_code", "message"}


def test_empty_lists_and_missing_tokens_are_left_out(sqlite_client):
    response = sqlite_client.post("/api/2.0/mlflow/runs/search", json={"experiment_ids": ["0"]})
    assert response.json() == {}
    experiments = sqlite_client.post("/api/2.0/mlflow/experiments/search", json={"max_results": 1})
    body = experiments.json()
    assert len(body["experiments"]) == 1 and "next_page_token" not in body


def test_paging_tokens_round_trip(sqlite_client):
    for index in range(3):
        sqlite_client.post("/api/2.0/mlflow/experiments/create", json={"name": f"page-{index}"})
    seen, token = [], None
    while True:
        body = {"max_results": 2, **({"page_token": token} if token else {})}
        page = sqlite_client.post("/api/2.0/mlflow/experiments/search", json=body).json()
        seen += [e["name"] for e in page.get("experiments", [])]
        token = page.get("next_page_token")
        if not token:
            break
    assert sorted(seen) == ["Default", "page-0", "page-1", "page-2"]
    bad = sqlite_client.post("/api/2.0/mlflow/experiments/search", json={"page_token": "garbage!"})
    assert (bad.status_code, bad.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
