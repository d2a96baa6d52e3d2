"""The UI in a real headless Chromium (Debian's, driven by Playwright) against a live, seeded `mlf server`.

Marked `browser`; .ci/run installs chromium so CI runs it. Each page is loaded cold and the bytes of
static files it transferred are checked against the budget; screenshots go to MLF_UI_SCREENSHOTS
(docs/screenshots when refreshing the README's pictures) or a temporary folder.
"""

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from tests.server.live_server import LiveServer
from tests.ui.browser_support import launch, require_browser
from tests.ui.seeding import seed_demo, seed_registry
from tests.ui.test_page_weight import BUDGET

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("ui-browser")
    uri = f"sqlite:///{folder / 'mlf.db'}"
    destination = folder / "mlartifacts"
    seeded = seed_demo(uri, destination)
    run_uri = f"mlflow-artifacts:/{seeded['experiment_id']}/{seeded['runs'][0]}/artifacts/model"
    seeded["model"], seeded["version"] = seed_registry(uri, seeded["runs"][0], run_uri)
    with LiveServer(uri, destination) as server, sync_playwright() as playwright:
        browser = launch(playwright, chromium)
        try:
            yield server, browser, seeded
        finally:
            browser.close()


def new_tab(browser, server):
    """A page in a fresh browser context (cold cache) that records errors, foreign hosts and static bytes."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    tab = context.new_page()
    tab.errors, tab.static_bytes, tab.foreign = [], {}, []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)

    def finished(request):
        if not request.url.startswith(server.url):
            tab.foreign.append(request.url)
        elif "/ui-static/" in request.url:
            tab.static_bytes[request.url] = max(0, request.sizes()["responseBodySize"])

    tab.on("requestfinished", finished)
    return tab


def close_tab(tab):
    assert tab.errors == [], tab.errors
    assert tab.foreign == [], f"requests to other hosts: {tab.foreign}"
    tab.context.close()


@pytest.fixture
def page(site):
    server, browser, _ = site
    tab = new_tab(browser, server)
    yield tab
    close_tab(tab)


def shots_dir():
    folder = Path(os.environ.get("MLF_UI_SCREENSHOTS") or "/tmp/mlf-ui-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(page, server, path, ready, shot=None):
    page.goto(server.url + path)
    page.wait_for_selector(ready)
    transferred = sum(page.static_bytes.values())
    assert transferred <= BUDGET, (path, transferred)
    if shot:
        page.wait_for_timeout(200)
        page.screenshot(path=str(shots_dir() / f"{shot}.png"))
    return transferred


def test_every_page_loads_within_the_static_budget(site):
    server, browser, seeded = site
    run = seeded["runs"][0]
    pages = [
        ("/", "#experiments", "experiments"),
        (f"/experiments/{seeded['experiment_id']}", "#runs[data-ready='1']", "runs"),
        (f"/runs/{run}", ".chart[data-drawn='1'] canvas", "run"),
        (f"/runs/{run}/artifacts?path=table.csv", "#csv-preview", "artifacts"),
        ("/compare?runs=" + ",".join(seeded["runs"][:6]), "#overlay[data-drawn='1']", "compare"),
        ("/models", "#models", "models"),
        (f"/models/{seeded['model']}", "#versions", None),
        (f"/models/{seeded['model']}/versions/{seeded['version']}", "#version-info", None),
        (f"/experiments/{seeded['experiment_id']}/traces", "#traces", None),
        (f"/traces/{seeded['trace_id']}", "#span-tree[data-ready='1']", "trace"),
    ]
    for path, ready, shot in pages:
        tab = new_tab(browser, server)
        assert 0 < open_page(tab, server, path, ready, shot), path  # cold: the static files did travel
        assert "<script>alert" not in tab.content()
        close_tab(tab)


def rows_shown(page):
    return page.locator("#runs-table tbody tr:not(.spacer)")


def test_runs_table_sort_filter_and_columns_survive_reload(site, page):
    server, _, seeded = site
    open_page(page, server, f"/experiments/{seeded['experiment_id']}", "#runs[data-ready='1']")
    assert rows_shown(page).count() >= 20
    page.click("th[data-sort='metrics.loss']")
    page.click("th[data-sort='metrics.loss']")
    assert "sort=metrics.loss" in page.url and "dir=desc" in page.url
    values = [float(v) for v in page.locator("#runs-table tbody tr:not(.spacer) td.num:last-child").all_inner_texts()[:3] if v]
    # Children follow their parents, so only compare the roots' order loosely: the top row has the largest loss.
    assert values and values[0] == max(values)
    page.fill("input[name=filter]", "params.model = 'tree'")
    page.click("#view-form button[type=submit]")
    page.wait_for_selector("#runs[data-ready='1']")
    assert page.inner_text("#run-count").startswith("15 runs")
    page.fill("input[name=filter]", "params.model = = 'tree'")
    page.click("#view-form button[type=submit]")
    assert page.locator("#problem-filter").is_visible()
    page.fill("input[name=filter]", "")
    page.click("#view-form button[type=submit]")
    page.wait_for_selector("#runs[data-ready='1']")
    page.click("#pick-columns")
    page.fill("#picker-filter", "lr")
    page.wait_for_selector("#picker-list input[value='params.lr']")
    page.check("#picker-list input[value='params.lr']")
    page.click("#picker-apply")
    page.wait_for_url(re.compile(r".*cols=.*params\.lr.*"))
    page.wait_for_selector("th[data-sort='params.lr']")
    page.click("th[data-sort='params.lr']")
    page.reload()
    page.wait_for_selector("#runs[data-ready='1']")
    assert page.locator("th[data-sort='params.lr']").get_attribute("class") == "sorted-asc"
    first = rows_shown(page).first.inner_text()
    assert "run 00" in first  # lr 0.01 is the smallest


def test_charts_are_drawn(site, page):
    server, _, seeded = site
    open_page(page, server, f"/runs/{seeded['runs'][3]}", ".chart[data-drawn='1'] canvas")
    painted = page.evaluate("""() => {
        const canvas = document.querySelector(".chart[data-drawn='1'] canvas");
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) count++;
        return count;
    }""")
    assert painted > 500
    assert "points" in page.inner_text(".chart[data-drawn='1'] .note")
    page.select_option("#chart-x", "relative")
    page.check("#chart-logy")
    page.wait_for_selector(".chart[data-drawn='1'] canvas")


def test_each_preview_kind(site, page):
    server, _, seeded = site
    base = f"/runs/{seeded['runs'][0]}/artifacts?path="
    open_page(page, server, base + quote("notes ü<b>.txt"), "#text-preview")
    assert "<script>alert" in page.inner_text("#text-preview")  # shown as text, never run
    open_page(page, server, base + "table.csv", "#csv-preview")
    assert page.locator("#csv-preview tbody tr").count() == 500
    for name in ("pic.png", "pic.svg"):
        open_page(page, server, base + name, ".preview img")
        page.wait_for_function("() => document.querySelector('.preview img').complete")
        assert page.evaluate("() => document.querySelector('.preview img').naturalWidth") > 0
    open_page(page, server, base + "page.html", ".preview iframe")
    assert page.get_attribute(".preview iframe", "sandbox") == ""
    page.wait_for_timeout(300)
    blocked = [e for e in page.errors if "Blocked script execution" in e and "page.html" in e]
    assert blocked, "the artifact's script must be blocked by the sandbox"
    page.errors[:] = [e for e in page.errors if e not in blocked]
    open_page(page, server, base + "model/MLmodel", "table.signature")
    open_page(page, server, base + "data.json", "#text-preview")


def test_span_tree_expands_and_shows_details(site, page):
    server, _, seeded = site
    open_page(page, server, f"/traces/{seeded['trace_id']}", "#span-tree[data-ready='1']")
    before = page.locator(".span-row").count()
    page.locator(".span-row .twisty:text('▸')").first.click()
    assert page.locator(".span-row").count() > before
    page.locator(".span-row").nth(1).click()
    page.wait_for_selector("#span-detail[data-span]")
    assert "q" in page.inner_text("#span-detail")


def test_theme_switch_persists_without_flash(site, page):
    server, _, _ = site
    open_page(page, server, "/", "#experiments")
    assert page.get_attribute("html", "data-theme") == "system"
    page.click("#theme-toggle")
    page.click("#theme-toggle")
    assert page.get_attribute("html", "data-theme") == "dark"
    # The server renders the chosen theme into the HTML itself, so the first paint is already dark.
    html = page.request.get(server.url + "/experiments").text()
    assert 'data-theme="dark"' in html
    page.reload()
    assert page.get_attribute("html", "data-theme") == "dark"
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 24, 28)"


def test_mlflow_hash_url_lands_on_the_page(site, page):
    server, _, seeded = site
    run = seeded["runs"][2]
    page.goto(f"{server.url}/#/experiments/{seeded['experiment_id']}/runs/{run}")
    page.wait_for_url(f"{server.url}/runs/{run}")
    page.goto(f"{server.url}/#/models/{seeded['model']}/versions/{seeded['version']}")
    page.wait_for_selector("#version-info")


@pytest.mark.slow
def test_real_mlflow_client_run_url_opens_the_run_page(site, page):
    from tests.support.mlflow_venv import mlflow_python

    server, _, _ = site
    script = ("import mlflow\n"
              "mlflow.set_experiment('printed-url')\n"
              "with mlflow.start_run(run_name='printed') as run:\n"
              "    mlflow.log_metric('m', 1.0)\n")
    env = dict(os.environ, MLFLOW_TRACKING_URI=server.url)
    env.pop("PYTHONPATH", None)
    result = subprocess.run([mlflow_python(), "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    url = re.search(r"View run printed at: (\S+)", result.stdout + result.stderr).group(1)
    assert urlparse(url).fragment.startswith("/experiments/")
    page.goto(url)
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f]{32}$"))
    page.wait_for_selector("#overview")
    assert page.inner_text("h1").startswith("printed")
