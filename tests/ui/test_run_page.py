"""The run page: overview, safe description, tables, chart data (down-sampled), artifacts and previews."""

import re
from urllib.parse import quote

from tests.server.conftest import api
from tests.ui.conftest import ARTIFACTS, HOSTILE, assert_escaped, post, seed, upload_artifacts


def test_run_page_escaped_with_overview_and_tables(ui):
    experiment_id, runs = seed(ui)
    response = ui.get(f"/runs/{runs[0]}")
    assert response.status_code == 200
    text = response.text
    assert_escaped(text)
    assert runs[0] in text and 'id="params-table"' in text and 'data-key="loss"' in text
    assert f'href="/experiments/{experiment_id}"' in text
    # The description is Markdown rendered safely: a heading, escaped text, no javascript: link.
    description = re.search(r'<div class="markdown" id="description">(.*?)</div>', text, re.S).group(1)
    assert "<h3>Title</h3>" in description
    assert "javascript:" not in description and "&lt;script&gt;" in description
    assert "/vendor/uPlot.iife.min.js" in text and "/charts.js" in text


def test_parent_and_child_links(ui):
    experiment_id = post(ui, "/experiments/create", {"name": "n"})["experiment_id"]
    parent = post(ui, "/runs/create", {"experiment_id": experiment_id, "run_name": "mother"})["run"]["info"]["run_id"]
    child = post(ui, "/runs/create", {"experiment_id": experiment_id, "run_name": "kid",
                                      "tags": [{"key": "mlflow.parentRunId", "value": parent}]})["run"]["info"]["run_id"]
    assert f'href="/runs/{child}"' in ui.get(f"/runs/{parent}").text
    assert f'href="/runs/{parent}"' in ui.get(f"/runs/{child}").text


def test_metric_data_down_sampled_keeping_min_and_max(ui):
    experiment_id = post(ui, "/experiments/create", {"name": "long"})["experiment_id"]
    run = post(ui, "/runs/create", {"experiment_id": experiment_id})["run"]["info"]["run_id"]
    values = [float(i % 97) for i in range(5000)]
    values[1234] = 1e6
    values[4321] = -1e6
    for start in range(0, 5000, 1000):
        post(ui, "/runs/log-batch", {"run_id": run, "metrics": [
            {"key": "m", "value": values[i], "timestamp": 10_000 + i, "step": i} for i in range(start, start + 1000)]})
    data = ui.get(f"/ui-data/runs/{run}/metric", params={"key": "m", "points": 400}).json()
    assert data["total"] == 5000 and len(data["step"]) <= 400
    assert max(data["value"]) == 1e6 and min(data["value"]) == -1e6
    assert data["min"] == -1e6 and data["max"] == 1e6 and data["count"] == 5000
    assert data["step"] == sorted(data["step"])
    zoom = ui.get(f"/ui-data/runs/{run}/metric", params={"key": "m", "points": 400, "lo": 100, "hi": 299}).json()
    assert zoom["step"] == list(range(100, 300)) and zoom["in_range"] == 200
    by_time = ui.get(f"/ui-data/runs/{run}/metric", params={"key": "m", "axis": "time", "lo": 10_000, "hi": 10_009}).json()
    assert by_time["step"] == list(range(10))
    assert ui.get(f"/ui-data/runs/{run}/metric", params={"key": "nope"}).status_code == 400
    assert ui.get(f"/ui-data/runs/{run}/metric", params={"key": "m", "lo": "x"}).status_code == 400


def test_artifact_tree_and_previews(ui):
    _, runs = seed(ui)
    upload_artifacts(ui, runs[0])
    base = f"/runs/{runs[0]}/artifacts"
    tree = ui.get(base).text
    assert_escaped(tree)
    assert "notes ü&lt;b&gt;.txt" in tree and "model/" in tree
    text = ui.get(base, params={"path": "notes ü<b>.txt"}).text
    assert_escaped(text)
    assert '<pre id="text-preview">line 1 &lt;script&gt;' in text
    json_page = ui.get(base, params={"path": "data.json"}).text
    assert '"a": [\n    1,' in json_page.replace("&#34;", '"') and "<script>alert(1)" not in json_page
    csv_page = ui.get(base, params={"path": "table.csv"}).text
    assert csv_page.count("<tr>") == 1 + 500 and "first 500 rows" in csv_page
    html_page = ui.get(base, params={"path": "page.html"}).text
    assert re.search(r'<iframe sandbox src="[^"]+page\.html"', html_page)
    svg_page = ui.get(base, params={"path": "pic.svg"}).text
    assert "<img src=" in svg_page and "<svg" not in svg_page
    model_page = ui.get(base, params={"path": "model/MLmodel"}).text
    assert 'class="grid signature"' in model_page and "&lt;b&gt;feature&lt;/b&gt;" in model_page
    assert "tensor float64 [-1]" in model_page and "sklearn" in model_page
    assert "No preview" in ui.get(base, params={"path": "blob.bin"}).text


def test_raw_artifact_headers(ui):
    _, runs = seed(ui)
    upload_artifacts(ui, runs[0])
    raw = f"/ui-data/runs/{runs[0]}/artifact"
    html = ui.get(raw, params={"path": "page.html"})
    assert html.headers["content-security-policy"].startswith("sandbox")
    assert html.headers["x-content-type-options"] == "nosniff"
    svg = ui.get(raw, params={"path": "pic.svg"})
    assert svg.headers["content-type"] == "image/svg+xml" and svg.headers["content-security-policy"].startswith("sandbox")
    png = ui.get(raw, params={"path": "pic.png"})
    assert png.headers["content-type"] == "image/png" and png.content == ARTIFACTS["pic.png"]
    text = ui.get(raw, params={"path": "notes ü<b>.txt"})
    assert text.headers["content-type"].startswith("text/plain")
    blob = ui.get(raw, params={"path": "blob.bin"})
    assert blob.headers["content-type"] == "application/octet-stream" and "attachment" in blob.headers["content-disposition"]
    download = ui.get(raw, params={"path": "page.html", "download": "1"})
    assert "attachment" in download.headers["content-disposition"] and download.headers["content-type"] == "application/octet-stream"
    assert ui.get(raw, params={"path": "../../etc/passwd"}).status_code == 400
    assert ui.get(raw, params={"path": "missing.txt"}).status_code == 404


def test_unknown_run_is_404(ui):
    assert ui.get("/runs/0123456789abcdef0123456789abcdef").status_code == 404
    assert ui.get("/runs/bad id").status_code in (400, 404)
