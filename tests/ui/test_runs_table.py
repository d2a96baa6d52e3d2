"""The runs table: server-side filter/order with inline parse errors, columns, CSV, keys, paging."""

import csv
import io
import json
import re

from tests.server.conftest import api
from tests.ui.conftest import HOSTILE, assert_escaped, post, seed


def island(html, element_id):
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_runs_table_escaped_with_default_columns(ui):
    experiment_id, runs = seed(ui)
    response = ui.get(f"/experiments/{experiment_id}")
    assert response.status_code == 200
    assert_escaped(response.text)
    data = island(response.text, "runs-data")
    assert [c["id"] for c in data["columns"]][:4] == ["attributes.start_time", "attributes.duration",
                                                      "attributes.status", "attributes.user_id"]
    assert "metrics.loss" in [c["id"] for c in data["columns"]]
    assert {row[0] for row in data["rows"]} == set(runs)
    assert any(row[1].startswith("run0 " + HOSTILE) for row in data["rows"])
    assert "3 runs" in response.text
    assert f'href="/runs/{runs[0]}"' in response.text


def test_filter_and_order_on_the_server(ui):
    experiment_id, runs = seed(ui)
    data = island(ui.get(f"/experiments/{experiment_id}", params={"filter": "params.lr = '0.2'"}).text, "runs-data")
    assert [row[0] for row in data["rows"]] == [runs[1]]
    data = island(ui.get(f"/experiments/{experiment_id}", params={"order": "params.lr DESC"}).text, "runs-data")
    assert [row[0] for row in data["rows"]] == [runs[2], runs[1], runs[0]]


def test_filter_error_shown_inline_at_its_position(ui):
    experiment_id, _ = seed(ui)
    text = "metrics.loss < 0.5 and params.lr >> '<b>'"
    response = ui.get(f"/experiments/{experiment_id}", params={"filter": text})
    assert response.status_code == 200
    assert_escaped(response.text)
    box = re.search(r'<div class="filter-error" role="alert" id="problem-filter">(.*?)</div>', response.text, re.S).group(1)
    assert "position" in box and "&lt;b&gt;" in box
    caret_line = re.search(r"<pre class=\"mono\">.*\n( *)\^</pre>", box).group(1)
    position = int(re.search(r"at position (\d+):", box).group(1))
    assert len(caret_line) == position - 1  # the caret sits under the character the parser names
    assert text.index(">>") <= len(caret_line) <= text.index(">>") + 1
    assert island(response.text, "runs-data")["rows"] == []
    bad_order = ui.get(f"/experiments/{experiment_id}", params={"order": "metrics.loss SIDEWAYS"})
    assert 'id="problem-order"' in bad_order.text


def test_picked_columns_only_are_sent(ui):
    experiment_id, _ = seed(ui)
    response = ui.get(f"/experiments/{experiment_id}", params={"cols": "params.lr,tags.note"})
    data = island(response.text, "runs-data")
    assert [c["id"] for c in data["columns"]] == ["params.lr", "tags.note"]
    assert all(len(row) == 5 + 2 for row in data["rows"])
    assert "loss" not in json.dumps(data)
    assert ui.get(f"/experiments/{experiment_id}", params={"cols": "bogus"}).status_code == 400


def test_column_keys_filtered_on_the_server(ui):
    experiment_id, _ = seed(ui)
    keys = ui.get(f"/ui-data/experiments/{experiment_id}/keys", params={"q": "L"}).json()
    assert keys["metrics"]["keys"] == ["loss"]
    assert keys["params"]["keys"] == ["lr"]
    assert "mlflow.note.content" in keys["tags"]["keys"]


def test_csv_of_the_current_view(ui):
    experiment_id, runs = seed(ui)
    response = ui.get(f"/experiments/{experiment_id}/runs.csv",
                      params={"cols": "params.lr,params.p ü", "sort": "params.lr", "dir": "desc"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][-2:] == ["params.lr", "params.p ü"]
    assert [row[0] for row in table[1:]] == [runs[2], runs[1], runs[0]]
    assert table[1][-1] == HOSTILE


def test_csv_cells_cannot_be_formulas(ui):
    experiment_id = post(ui, "/experiments/create", {"name": "f"})["experiment_id"]
    run = post(ui, "/runs/create", {"experiment_id": experiment_id, "run_name": "=cmd()"})["run"]["info"]["run_id"]
    text = ui.get(f"/experiments/{experiment_id}/runs.csv").text
    assert "'=cmd()" in text and run in text


def test_children_carry_their_parent_and_lifecycle_toggle(ui):
    experiment_id = post(ui, "/experiments/create", {"name": "nest"})["experiment_id"]
    parent = post(ui, "/runs/create", {"experiment_id": experiment_id, "run_name": "parent"})["run"]["info"]["run_id"]
    child = post(ui, "/runs/create", {"experiment_id": experiment_id, "run_name": "child",
                                      "tags": [{"key": "mlflow.parentRunId", "value": parent}]})["run"]["info"]["run_id"]
    rows = island(ui.get(f"/experiments/{experiment_id}").text, "runs-data")["rows"]
    assert {row[0]: row[3] for row in rows} == {parent: None, child: parent}
    post(ui, "/runs/delete", {"run_id": child})
    assert [r[0] for r in island(ui.get(f"/experiments/{experiment_id}").text, "runs-data")["rows"]] == [parent]
    deleted = ui.get(f"/experiments/{experiment_id}", params={"lifecycle": "deleted"}).text
    assert [r[0] for r in island(deleted, "runs-data")["rows"]] == [child]
    assert 'id="restore"' in deleted


def test_several_experiments_in_one_table(ui):
    first, _ = seed(ui)
    second = post(ui, "/experiments/create", {"name": "other"})["experiment_id"]
    post(ui, "/runs/create", {"experiment_id": second, "run_name": "lonely"})
    data = island(ui.get(f"/experiments/{first},{second}").text, "runs-data")
    assert len(data["rows"]) == 4 and set(data["experiments"]) == {first, second}


def test_next_page_beyond_the_cap(ui, monkeypatch):
    from runtime.ui import runs_view

    monkeypatch.setattr(runs_view, "MAX_RUNS", 2)
    experiment_id, _ = seed(ui)
    response = ui.get(f"/experiments/{experiment_id}")
    assert len(island(response.text, "runs-data")["rows"]) == 2
    link = re.search(r'href="([^"]*page_token=[^"]*)"', response.text).group(1).replace("&amp;", "&")
    assert len(island(ui.get(link).text, "runs-data")["rows"]) == 1


def test_missing_experiment_is_a_404_page(ui):
    response = ui.get("/experiments/424242")
    assert response.status_code == 404 and "Not found" in response.text
