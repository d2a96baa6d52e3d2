"""Compare runs, the model registry pages and the trace pages, on every store, with hostile fixtures."""

import json
import re

from tests.server.conftest import api
from tests.ui.conftest import HOSTILE, assert_escaped, post, seed, seed_trace, upload_artifacts
from tests.ui.test_page_weight import BUDGET, static_weight
from tests.ui.test_runs_table import island


def test_compare_side_by_side_and_only_differences(ui):
    _, runs = seed(ui)
    other = post(ui, "/experiments/create", {"name": "other"})["experiment_id"]
    far = post(ui, "/runs/create", {"experiment_id": other, "run_name": "far"})["run"]["info"]["run_id"]
    ids = ",".join(runs + [far])
    response = ui.get("/compare", params={"runs": ids})
    assert response.status_code == 200
    assert_escaped(response.text)
    for run_id in runs + [far]:
        assert f'href="/runs/{run_id}"' in response.text
    data = island(response.text, "compare-data")
    assert [r["id"] for r in data["runs"]] == runs + [far]
    assert len({r["color"] for r in data["runs"]}) == 4
    assert data["values"]["params.lr"][:3] == [0.1, 0.2, 0.30000000000000004]
    assert data["metricKeys"] == ["loss"]
    same_rows = ui.get("/compare", params={"runs": ",".join(runs), "diff": "1"}).text
    assert "p ü" not in same_rows and ">lr<" in same_rows  # p ü is equal everywhere, lr differs
    mlflow_form = ui.get("/compare", params={"runs": json.dumps(runs)})
    assert mlflow_form.status_code == 200
    assert ui.get("/compare").status_code == 400
    assert static_weight(response.text) <= BUDGET


def test_compare_metric_series_for_every_run(ui):
    _, runs = seed(ui)
    no_metric = post(ui, "/runs/create", {"experiment_id": "0"})["run"]["info"]["run_id"]
    data = ui.get("/ui-data/compare/metric", params={"key": "loss", "runs": ",".join(runs + [no_metric])}).json()
    assert [len(s["step"]) for s in data["series"][:3]] == [20, 20, 20]
    assert data["series"][3] is None


def register_model(ui, run_id):
    name = "model <b>ü'\"?#&"
    post(ui, "/registered-models/create", {"name": name, "tags": [{"key": "owner", "value": HOSTILE}],
                                           "description": "**bold** " + HOSTILE})
    run = ui.get(api("/runs/get"), params={"run_id": run_id}).json()["run"]["info"]
    version = post(ui, "/model-versions/create", {"name": name, "source": run["artifact_uri"] + "/model",
                                                  "run_id": run_id})["model_version"]["version"]
    post(ui, "/registered-models/alias", {"name": name, "alias": "champion", "version": version})
    return name, version


def test_model_registry_pages(ui):
    from urllib.parse import quote

    _, runs = seed(ui)
    upload_artifacts(ui, runs[0])
    name, version = register_model(ui, runs[0])
    listing = ui.get("/models")
    assert listing.status_code == 200
    assert_escaped(listing.text)
    assert "@champion" in listing.text and f'href="/models/{quote(name, safe="")}"' in listing.text
    assert "model &lt;b&gt;" in ui.get("/models", params={"q": "MODEL <b>"}).text
    model = ui.get(f"/models/{quote(name, safe='')}")
    assert model.status_code == 200
    assert_escaped(model.text)
    assert "<strong>bold</strong>" in model.text and f'href="/runs/{runs[0]}"' in model.text
    assert 'data-api="/registered-models/alias"' in model.text and 'data-api="/registered-models/set-tag"' in model.text
    page = ui.get(f"/models/{quote(name, safe='')}/versions/{version}")
    assert page.status_code == 200
    assert_escaped(page.text)
    assert "&lt;b&gt;feature&lt;/b&gt;" in page.text, "signature read from the version's MLmodel"
    assert 'data-api="/model-versions/set-tag"' in page.text
    assert ui.get("/models/nope").status_code == 404
    for html in (listing.text, model.text, page.text):
        assert static_weight(html) <= BUDGET


def test_trace_list_and_trace_page(ui):
    experiment_id, _ = seed(ui)
    trace_id, span_ids = seed_trace(ui, experiment_id)
    listing = ui.get(f"/experiments/{experiment_id}/traces")
    assert listing.status_code == 200
    assert_escaped(listing.text)
    assert f'href="/traces/{trace_id}"' in listing.text and "12 ms" in listing.text
    bad = ui.get(f"/experiments/{experiment_id}/traces", params={"filter": "bogus ==="})
    assert bad.status_code == 200 and 'class="filter-error"' in bad.text
    page = ui.get(f"/traces/{trace_id}")
    assert page.status_code == 200
    assert_escaped(page.text)
    spans = island(page.text, "trace-data")["spans"]
    assert [s[0] for s in spans] == span_ids
    assert [s[1] for s in spans] == [-1, 0, 1, 2, 3]
    assert "quality" in page.text and "because &lt;script&gt;" in page.text
    detail = ui.get(f"/ui-data/traces/{trace_id}/span", params={"span": span_ids[2]}).json()
    assert json.loads(detail["inputs"]) == {"q": HOSTILE} and detail["outputs"] == "42"
    assert ui.get(f"/ui-data/traces/{trace_id}/span", params={"span": "nope"}).status_code == 404
    assert ui.get("/traces/tr-" + "f" * 32).status_code == 404
    assert static_weight(page.text) <= BUDGET


def test_trace_list_pages_on_the_server(ui, monkeypatch):
    from runtime.ui import pages_traces

    monkeypatch.setattr(pages_traces, "PAGE_SIZE", 2)
    experiment_id = post(ui, "/experiments/create", {"name": "t"})["experiment_id"]
    for number in range(1, 4):
        seed_trace(ui, experiment_id, span_count=1, trace_number=number)
    first = ui.get(f"/experiments/{experiment_id}/traces").text
    assert first.count('href="/traces/tr-') == 2
    link = re.search(r'href="([^"]*page_token=[^"]*)"', first).group(1).replace("&amp;", "&")
    assert ui.get(link).text.count('href="/traces/tr-') == 1
