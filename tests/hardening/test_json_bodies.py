"""Request bodies that break a naive json.loads: each a 400 in MLflow's shape, and nothing logged."""

import json

import pytest

from tests.hardening.conftest import assert_refused, new_run, run_data
from tests.server.conftest import api

HOSTILE_BODIES = {
    "arrays nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "objects nested 50,000 deep": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "arrays nested 101 deep (past the bound, under Python's limit)": "[" * 101 + "]" * 101,
    "an integer of 4,301 digits": '{"run_id": "%s", "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": %s}]}',
}


def hostile_body(name, run_id):
    text = HOSTILE_BODIES[name]
    return text % (run_id, "9" * 4301) if "%s" in text else text


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
@pytest.mark.parametrize("path", ["/runs/log-batch", "/experiments/create", "/runs/search"])
def test_hostile_json_body_is_a_400_and_writes_nothing(client, name, path):
    run_id = new_run(client)
    response = client.post(api(path), content=hostile_body(name, run_id), headers={"Content-Type": "application/json"})
    assert_refused(response)
    assert run_data(client, run_id).get("metrics", []) == []
    names = [e["name"] for e in client.post(api("/experiments/search"), json={"max_results": 100}).json()["experiments"]]
    assert sorted(names) == ["Default", "hostile"]


def test_nesting_within_the_bound_is_still_read(client):
    # A tag value may hold JSON text of any depth: the bound is on the body's own structure only.
    run_id = new_run(client)
    deep_text = json.dumps(json.loads("[" * 500 + "]" * 500))
    body = {"run_id": run_id, "key": "deep", "value": deep_text, "nested": [[[[{"x": [1]}]]]]}
    assert client.post(api("/runs/set-tag"), json=body).status_code == 200
    assert {"key": "deep", "value": deep_text} in run_data(client, run_id)["tags"]


def test_graphql_variables_nested_5000_deep_is_a_400(client):
    variables = "[" * 5_000 + "]" * 5_000  # past Python's recursion limit, within a URL's length
    response = client.get("/graphql", params={"query": "{ __typename }", "variables": variables})
    assert_refused(response)
