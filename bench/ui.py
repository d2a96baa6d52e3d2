"""The web UI in headless Chromium: mlf server against mlflow server 3.17.2 on the same data, one run.

    python -m bench.ui [--runs 5000] [--steps 10000] [--spans 10000]

Both servers get the same seeded content (each written with its own store, since mlflow cannot open
mlf's schema revision): an experiment of N runs with 10 params, 10 metrics and 2 tags each, a run
with 50 metrics x S steps, and a trace of 10,000 spans. Chromium is Debian's, driven by Playwright;
every page loads in a fresh context (cold cache). Printed: static bytes (JS + CSS, as transferred)
per page, time until the runs table is usable, re-sort time, first chart, trace tree.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.procstat import ROOT, clean_env, compile_sources
from bench.server import free_port, mlflow_python, start, stop

PARAMS, METRICS, CHART_METRICS = 10, 10, 50
COMPARE_RUNS, COMPARE_STEPS = 100, 1000
PAGE_TIMEOUT_MS = 120_000

# Seeds mlflow's own SQL store in-process (no HTTP), with the same shape as seed_mlf below.
MLFLOW_SEED = r'''
import math, sys, time
from mlflow.entities import Metric, Param, RunTag
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
uri, root, runs, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = SqlAlchemyStore(uri, root)
experiment = store.create_experiment("bench-runs")
for i in range(runs):
    run = store.create_run(experiment, "bench", 1_700_000_000_000 + i * 1000, [RunTag("team", "t%d" % (i % 7))], "r%05d" % i)
    store.log_batch(run.info.run_id,
                    metrics=[Metric("m%d" % k, math.sin(i + k), 1_700_000_000_000, 0) for k in range(10)],
                    params=[Param("p%d" % k, str((i * (k + 3)) % 97)) for k in range(10)],
                    tags=[RunTag("stage", "s%d" % (i % 3))])
charts = store.create_experiment("bench-charts")
run = store.create_run(charts, "bench", 1_700_000_000_000, [], "long")
points = [Metric("c%02d" % k, math.exp(-s / 3000) + 0.01 * math.sin(s * (k + 1)), 1_700_000_000_000 + s * 100, s)
          for k in range(50) for s in range(steps)]
for start in range(0, len(points), 1000):
    store.log_batch(run.info.run_id, metrics=points[start:start + 1000], params=[], tags=[])
print(experiment, charts, run.info.run_id)
'''

# Logs a 10,000-span trace through the real client against the running mlflow server.
MLFLOW_TRACE = r'''
import sys, mlflow
mlflow.set_tracking_uri(sys.argv[1]); mlflow.set_experiment(experiment_id=sys.argv[2])
spans = int(sys.argv[3])
with mlflow.start_span("root") as root:
    for i in range(spans - 1):
        with mlflow.start_span("s%d" % i):
            pass
print(root.trace_id)
'''


def wait_ready(proc, url, timeout):
    """Poll url until it answers 200 (a busy server may time out a poll; that is not a failure)."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def seed_mlf(uri, runs, steps, spans):
    sys.path.insert(0, str(ROOT))
    from runtime.entities import Metric, Param, RunTag
    from tests.ui.conftest import write_trace
    from tests.ui.seeding import open_store

    store = open_store(uri)
    try:
        experiment = store.create_experiment("bench-runs")
        for i in range(runs):
            run = store.create_run(experiment, "bench", 1_700_000_000_000 + i * 1000, {"team": f"t{i % 7}"}, f"r{i:05d}")
            store.log_batch(run.info.run_id,
                            metrics=[Metric(f"m{k}", math.sin(i + k), 1_700_000_000_000, 0) for k in range(METRICS)],
                            params=[Param(f"p{k}", str((i * (k + 3)) % 97)) for k in range(PARAMS)],
                            tags=[RunTag("stage", f"s{i % 3}")])
        charts = store.create_experiment("bench-charts")
        run = store.create_run(charts, "bench", 1_700_000_000_000, {}, "long")
        points = [Metric(f"c{k:02d}", math.exp(-s / 3000) + 0.01 * math.sin(s * (k + 1)), 1_700_000_000_000 + s * 100, s)
                  for k in range(CHART_METRICS) for s in range(steps)]
        for begin in range(0, len(points), 1000):
            store.log_batch(run.info.run_id, metrics=points[begin:begin + 1000])
        trace_id, _ = write_trace(store, charts, span_count=spans, fan_out=1)
        compared = seed_compare(store)
        return experiment, charts, run.info.run_id, trace_id, compared
    finally:
        store.close()


def seed_compare(store):
    """COMPARE_RUNS runs of one metric with COMPARE_STEPS steps each, for the compare page's overlay."""
    from runtime.entities import Metric

    experiment = store.create_experiment("bench-compare")
    run_ids = []
    for i in range(COMPARE_RUNS):
        run = store.create_run(experiment, "bench", 1_700_000_000_000 + i, {}, f"c{i:03d}")
        points = [Metric("loss", math.exp(-s / (200 + i)) + 0.001 * i, 1_700_000_000_000 + s, s)
                  for s in range(COMPARE_STEPS)]
        store.log_batch(run.info.run_id, metrics=points)
        run_ids.append(run.info.run_id)
    return run_ids


def columns_query():
    attributes = ["attributes.start_time", "attributes.duration", "attributes.status", "attributes.user_id",
                  "attributes.run_id"]
    return ",".join(attributes + [f"params.p{k}" for k in range(PARAMS)] + [f"metrics.m{k}" for k in range(METRICS)])


class Tab:
    """A cold page that counts the JS and CSS bytes it transferred."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.static = 0
        self.page.on("requestfinished", self._finished)

    def _finished(self, request):
        if request.resource_type in ("script", "stylesheet", "font"):
            self.static += max(0, request.sizes()["responseBodySize"])

    def timed(self, url, selector):
        began = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_selector(selector, timeout=PAGE_TIMEOUT_MS)
        return time.perf_counter() - began

    def close(self):
        self.context.close()


def attempt(function):
    try:
        return function()
    except Exception as error:  # noqa: BLE001 - a page that never shows its content is reported, not fatal
        print(f"  failed: {str(error).splitlines()[0][:200]}", file=sys.stderr)
        return None


RESORT_JS = """async (id) => {
  const th = document.querySelector(`th[data-sort="${id}"]`);
  const began = performance.now();
  th.click();
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - began;
}"""


def measure_pages(browser, pages, after=None):
    """{name_s, name_kb} for each (name, url, selector): seconds until selector shows, JS+CSS bytes, cold."""
    out = {}
    for name, url, selector in pages:
        tab = Tab(browser)
        out[f"{name}_s"] = attempt(lambda: tab.timed(url, selector))
        out[f"{name}_kb"] = tab.static / 1024
        if after and out[f"{name}_s"] is not None:
            out.update(after(name, tab.page))
        tab.close()
    return out


def mlf_table_extras(name, page):
    """How many rows the runs table holds and the slowest in-page re-sort of three columns; the compare overlay's draw time."""
    if name not in ("table", "compare"):
        return {}
    if name == "compare":
        return {"compare_draw_ms": float(page.get_attribute("#overlay", "data-draw-ms"))}
    rows = page.evaluate("() => JSON.parse(document.getElementById('runs-data').textContent).rows.length")
    return {"rows": rows, "resort_ms": max(page.evaluate(RESORT_JS, key) for key in ("metrics.m3", "params.p4", "metrics.m7"))}


def measure_mlf(browser, base, ids):
    experiment, charts, chart_run, trace_id, compared = ids
    return measure_pages(browser, [
        ("compare", f"{base}/compare?runs={','.join(compared)}", "#overlay[data-draw-ms]"),
        ("table", f"{base}/experiments/{experiment}?cols={columns_query()}", "#runs[data-ready='1']"),
        ("chart", f"{base}/runs/{chart_run}", ".chart[data-drawn='1'] canvas"),
        ("trace", f"{base}/traces/{trace_id}", "#span-tree[data-ready='1'] .span-row"),
        ("home", f"{base}/", "#experiments"),
    ], after=mlf_table_extras)


def measure_mlflow(browser, base, ids, runs):
    experiment, charts, chart_run, trace_id = ids
    # Its table shows the newest 100 runs first; the newest is the last one seeded.
    return measure_pages(browser, [
        ("table", f"{base}/#/experiments/{experiment}/runs", "text=r%05d" % (runs - 1)),
        ("chart", f"{base}/#/experiments/{charts}/runs/{chart_run}/model-metrics", ".js-plotly-plot .js-line"),
        ("trace", f"{base}/#/experiments/{charts}/traces/{trace_id}", 'text="s0"'),
        ("home", f"{base}/#/experiments", 'text="bench-runs"'),
    ])


def run_mlf(args, folder, browser):
    uri = f"sqlite:///{folder}/mlf.db"
    began = time.perf_counter()
    ids = seed_mlf(uri, args.runs, args.steps, args.spans)
    print(f"mlf: seeded in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    port = free_port()
    proc = start([sys.executable, "-m", "runtime", "server", "--backend-store-uri", uri, "--host", "127.0.0.1",
                  "--port", str(port), "--artifacts-destination", f"{folder}/mlf-art"],
                 clean_env(PYTHONPATH=str(ROOT)), folder)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(proc, f"{base}/health", timeout=120)
        return measure_mlf(browser, base, ids)
    finally:
        stop(proc)


def run_mlflow(args, folder, browser):
    python = mlflow_python()
    uri = f"sqlite:///{folder}/mlflow.db"
    began = time.perf_counter()
    seeded = subprocess.run([python, "-c", MLFLOW_SEED, uri, f"{folder}/mlflow-art", str(args.runs), str(args.steps)],
                            env=clean_env(), cwd=folder, capture_output=True, text=True, check=True)
    experiment, charts, chart_run = seeded.stdout.split()[-3:]
    print(f"mlflow: seeded in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    port = free_port()
    proc = start([python, "-m", "mlflow", "server", "--backend-store-uri", uri, "--host", "127.0.0.1",
                  "--port", str(port), "--artifacts-destination", f"{folder}/mlflow-art"], clean_env(), folder)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(proc, f"{base}/health", timeout=300)
        traced = subprocess.run([python, "-c", MLFLOW_TRACE, base, charts, str(args.spans)], env=clean_env(),
                                cwd=folder, capture_output=True, text=True, timeout=900)
        trace_id = traced.stdout.split()[-1] if traced.returncode == 0 else "missing"
        if traced.returncode != 0:
            print(f"mlflow: the trace was not logged: {traced.stderr[-500:]}", file=sys.stderr)
        return measure_mlflow(browser, base, (experiment, charts, chart_run, trace_id), args.runs)
    finally:
        stop(proc)


def cell(value, unit):
    if value is None:
        return "did not show"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--spans", type=int, default=10000)
    parser.add_argument("--only", choices=("mlf", "mlflow"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.ui.browser_support import chromium_path, launch

    compile_sources()
    results = {}
    with tempfile.TemporaryDirectory(prefix="mlf-bench-ui-") as folder, sync_playwright() as playwright:
        browser = launch(playwright, chromium_path())
        try:
            for name, runner in (("mlf", run_mlf), ("mlflow", run_mlflow)):
                if args.only in (None, name):
                    results[name] = runner(args, folder, browser)
                    print(f"{name}: {results[name]}", file=sys.stderr)
        finally:
            browser.close()
    mine, theirs = results.get("mlf", {}), results.get("mlflow", {})
    rows = [
        ("experiments page: JS+CSS transferred", "home_kb", "KB"),
        ("experiments page: visible", "home_s", "s"),
        (f"runs table, {args.runs} runs x 25 columns: JS+CSS", "table_kb", "KB"),
        (f"runs table: rows usable (mlf: all {args.runs}; mlflow: its first 100)", "table_s", "s"),
        ("runs table: re-sort on a column, in the page", "resort_ms", "ms"),
        (f"run page, {CHART_METRICS} metrics x {args.steps} steps: first chart drawn", "chart_s", "s"),
        (f"trace of {args.spans} spans: tree shown", "trace_s", "s"),
        (f"compare {COMPARE_RUNS} runs x 1 metric x {COMPARE_STEPS} steps: page until overlay drawn", "compare_s", "s"),
        ("compare: overlay draw time, in the page", "compare_draw_ms", "ms"),
    ]
    print(f"\n| measure | mlf | mlflow 3.17.2 |\n|---|---|---|")
    for label, key, unit in rows:
        print(f"| {label} | {cell(mine.get(key), unit)} | {cell(theirs.get(key), unit)} |")


if __name__ == "__main__":
    main()
