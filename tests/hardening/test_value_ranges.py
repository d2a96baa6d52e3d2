"""Values no store can hold: metric timestamps/steps beyond 64 bits and lone UTF-16 surrogates.

Each is refused with the same 400 over REST and the same InvalidParameter from the file and SQL
stores directly (one shared validation), and nothing is written.
"""

import json

import pytest

from runtime.entities import Metric, Param, RunTag
from runtime.errors import InvalidParameter
from runtime.store.factory import get_tracking_store
from tests.hardening.conftest import assert_refused, new_run, run_data
from tests.server.conftest import api

OUT_OF_RANGE = {"2**63": 2**63, "-2**63-1": -(2**63) - 1, "10**30": 10**30, "1e20": 1e20}
LONE_SURROGATE = "bad\ud800value"


@pytest.mark.parametrize("field", ["timestamp", "step"])
@pytest.mark.parametrize("name", sorted(OUT_OF_RANGE))
def test_rest_metric_out_of_64_bit_range_is_a_400(client, field, name):
    run_id = new_run(client)
    metric = {"key": "m", "value": 1.0, "timestamp": 1, "step": 0, field: OUT_OF_RANGE[name]}
    assert_refused(client.post(api("/runs/log-metric"), json={"run_id": run_id, **metric}))
    assert_refused(client.post(api("/runs/log-batch"), json={"run_id": run_id, "metrics": [metric]}))
    assert run_data(client, run_id).get("metrics", []) == []


def test_rest_metric_at_the_64_bit_edges_is_kept(client):
    run_id = new_run(client)
    metric = {"key": "m", "value": 1.0, "timestamp": 2**63 - 1, "step": -(2**63)}
    assert client.post(api("/runs/log-batch"), json={"run_id": run_id, "metrics": [metric]}).status_code == 200
    history = client.get(api("/metrics/get-history"), params={"run_id": run_id, "metric_key": "m"}).json()["metrics"]
    assert [(int(m["timestamp"]), int(m["step"])) for m in history] == [(2**63 - 1, -(2**63))]


def test_rest_run_start_time_out_of_range_is_a_400(client):
    experiment_id = client.post(api("/experiments/create"), json={"name": "e"}).json()["experiment_id"]
    assert_refused(client.post(api("/runs/create"), json={"experiment_id": experiment_id, "start_time": 10**30}))


@pytest.mark.parametrize("path,body", [
    ("/experiments/create", {"name": LONE_SURROGATE}),
    ("/runs/log-parameter", {"key": "p", "value": LONE_SURROGATE}),
    ("/runs/set-tag", {"key": "t", "value": LONE_SURROGATE}),
    ("/runs/log-batch", {"params": [{"key": "p", "value": LONE_SURROGATE}]}),
    ("/runs/log-batch", {"tags": [{"key": "t", "value": LONE_SURROGATE}]}),
    ("/runs/update", {"run_name": LONE_SURROGATE}),
    ("/registered-models/create", {"name": LONE_SURROGATE}),
])
def test_rest_lone_surrogate_is_a_400(client, path, body):
    run_id = new_run(client)
    if path.startswith("/runs/"):
        body = {"run_id": run_id, **body}
    # Sent as the JSON escape "\ud800", as a hostile client would (httpx refuses to encode it raw).
    assert_refused(client.post(api(path), content=json.dumps(body), headers={"Content-Type": "application/json"}))
    data = run_data(client, run_id)
    assert data.get("params", []) == [] and all("\ud800" not in t["value"] for t in data.get("tags", []))
    names = [e["name"] for e in client.post(api("/experiments/search"), json={"max_results": 100}).json()["experiments"]]
    assert sorted(names) == ["Default", "hostile"]


@pytest.fixture(params=["file", "sqlite"])
def store(request, tmp_path):
    uri = str(tmp_path / "mlruns") if request.param == "file" else f"sqlite:///{tmp_path / 'mlf.db'}"
    opened = get_tracking_store(uri, str(tmp_path / "artifacts"))
    yield opened
    getattr(opened, "close", lambda: None)()


STORE_WRITES = {
    "metric timestamp 2**63": lambda s, r: s.log_batch(r, metrics=[Metric("m", 1.0, 2**63, 0)]),
    "metric step -2**63-1": lambda s, r: s.log_batch(r, metrics=[Metric("m", 1.0, 1, -(2**63) - 1)]),
    "metric step 1e20": lambda s, r: s.log_batch(r, metrics=[Metric("m", 1.0, 1, 1e20)]),
    "param value with a lone surrogate": lambda s, r: s.log_batch(r, params=[Param("p", LONE_SURROGATE)]),
    "tag value with a lone surrogate": lambda s, r: s.log_batch(r, tags=[RunTag("t", LONE_SURROGATE)]),
    "experiment name with a lone surrogate": lambda s, r: s.create_experiment(LONE_SURROGATE),
}


@pytest.mark.parametrize("name", sorted(STORE_WRITES))
def test_store_refuses_what_it_cannot_hold(store, name):
    experiment_id = store.create_experiment("e")
    run_id = store.create_run(experiment_id).info.run_id
    with pytest.raises(InvalidParameter):
        STORE_WRITES[name](store, run_id)
    run = store.get_run(run_id)
    assert not run.metrics and not run.params and "t" not in run.tags
    assert sorted(e.name for e in store.search_experiments()) == ["Default", "e"]
