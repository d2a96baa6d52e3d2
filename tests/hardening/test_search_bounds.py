"""Hostile search requests: Unicode digits, huge filters and order_by lists are a clear 400, at once."""

import pytest

from runtime.search.filter import MAX_FILTER_LENGTH, MAX_FILTER_TERMS, MAX_ORDER_BY_KEYS
from tests.hardening.conftest import assert_refused, new_run
from tests.server.conftest import api


def search_runs(client, **body):
    experiments = client.post(api("/experiments/search"), json={"max_results": 10}).json()["experiments"]
    ids = [e["experiment_id"] for e in experiments]
    return client.post(api("/runs/search"), json={"experiment_ids": ids, **body})


@pytest.mark.parametrize("text", ["metrics.m > ²", "metrics.m > 1²", "params.p = ³", "metrics.m > ٣", "metrics.m > ¹.5"])
def test_run_filter_with_unicode_digits_is_a_400(client, text):
    new_run(client)
    message = assert_refused(search_runs(client, filter=text))
    assert "position" in message


@pytest.mark.parametrize("text", ["name = ³", "creation_time > ²"])
def test_experiment_filter_with_unicode_digits_is_a_400(client, text):
    assert_refused(client.post(api("/experiments/search"), json={"filter": text, "max_results": 10}))


def and_terms(count):
    return " and ".join(f"metrics.m{i} > 0" for i in range(count))


@pytest.mark.parametrize("count", [MAX_FILTER_TERMS + 1, 10_000])
def test_filter_with_too_many_and_terms_is_a_400(client, count):
    new_run(client)
    message = assert_refused(search_runs(client, filter=and_terms(count)))
    assert "comparisons" in message or "characters" in message  # 10,000 terms pass the length limit first


def test_filter_longer_than_the_limit_is_a_400(client):
    assert "characters" in assert_refused(search_runs(client, filter="params.p = '" + "x" * MAX_FILTER_LENGTH + "'"))


def test_filter_at_the_term_limit_is_answered(client):
    run_id = new_run(client)
    client.post(api("/runs/log-batch"), json={"run_id": run_id, "metrics": [
        {"key": f"m{i}", "value": 1.0, "timestamp": 1, "step": 0} for i in range(MAX_FILTER_TERMS)]})
    response = search_runs(client, filter=and_terms(MAX_FILTER_TERMS))
    assert response.status_code == 200 and [r["info"]["run_id"] for r in response.json()["runs"]] == [run_id]


@pytest.mark.parametrize("count", [MAX_ORDER_BY_KEYS + 1, 40, 10_000])
def test_order_by_with_too_many_keys_is_a_400(client, count):
    # 40 metric keys used to crash the SQLite library itself (a segfault, taking the server with it).
    new_run(client)
    assert "order_by" in assert_refused(search_runs(client, order_by=[f"metrics.m{i} DESC" for i in range(count)]))


def test_order_by_at_the_key_limit_is_answered(client):
    run_id = new_run(client)
    response = search_runs(client, order_by=[f"metrics.m{i} DESC" for i in range(MAX_ORDER_BY_KEYS)])
    assert response.status_code == 200 and [r["info"]["run_id"] for r in response.json()["runs"]] == [run_id]
