"""Skeleton of the UI: mounting, static files, themes, hash URLs, experiments list, --static-prefix."""

import gzip
import json
import re

from tests.server.conftest import api
from tests.ui.conftest import HOSTILE, assert_escaped, links, post, seed


def static_urls(html):
    return re.findall(r'(?:href|src)="([^"]*/ui-static/[^"]+)"', html)


def test_home_lists_experiments_escaped(ui):
    experiment_id, _ = seed(ui)
    response = ui.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert_escaped(response.text)
    assert "exp &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &#39;q&#39; ü☃" in response.text
    assert f'href="/experiments/{experiment_id}"' in response.text
    row = re.search(rf'<tr data-id="{experiment_id}">.*?</tr>', response.text, re.S).group(0)
    assert re.search(r'<td class="num">3</td>', row), "run count"


def test_name_filter_and_lifecycle(ui):
    post(ui, "/experiments/create", {"name": "alpha"})
    beta = post(ui, "/experiments/create", {"name": "Beta's"})["experiment_id"]
    text = ui.get("/experiments", params={"q": "ALP"}).text
    assert "alpha" in text and "Beta" not in text
    assert "Beta&#39;s" in ui.get("/experiments", params={"q": "a's"}).text
    post(ui, "/experiments/delete", {"experiment_id": beta})
    assert "Beta" not in ui.get("/experiments").text
    deleted = ui.get("/experiments", params={"lifecycle": "deleted"}).text
    assert "Beta" in deleted and "/experiments/restore" in deleted
    assert ui.get("/experiments", params={"lifecycle": "bogus"}).status_code == 400


def test_actions_go_through_the_json_api(ui):
    text = ui.get("/").text
    for action in ("/experiments/create", "/experiments/update", "/experiments/delete"):
        assert f'data-api="{action}"' in text or action == "/experiments/update"
    # A browser form post (no JSON) is refused by the security middleware, so pages cannot be CSRF'd.
    response = ui.post(api("/experiments/create"), data={"name": "x"})
    assert response.status_code == 400


def test_static_files_hashed_gzipped_immutable(ui):
    text = ui.get("/").text
    urls = static_urls(text)
    assert any(u.endswith("/mlf.css") for u in urls) and any(u.endswith("/mlf.js") for u in urls)
    for url in urls:
        response = ui.get(url, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert "immutable" in response.headers["cache-control"]
        plain = ui.get(url, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert len(response.content) == len(plain.content)  # the client decoded the gzip body
    stale = re.sub(r"/ui-static/[0-9a-f]+/", "/ui-static/000000000000/", urls[0])
    assert ui.get(stale).status_code == 404


def test_theme_from_cookie_and_query(ui):
    assert 'data-theme="system"' in ui.get("/").text
    response = ui.get("/", params={"theme": "dark"})
    assert 'data-theme="dark"' in response.text
    assert "mlf_theme=dark" in response.headers["set-cookie"]
    ui.cookies.clear()
    ui.cookies.set("mlf_theme", "light")
    assert 'data-theme="light"' in ui.get("/experiments").text
    ui.cookies.clear()
    ui.cookies.set("mlf_theme", "<bad>")
    assert 'data-theme="system"' in ui.get("/experiments").text


def apply_hash_routes(routes, hash_path):
    """What the inline script on / does, with Python's re (the patterns use the common subset)."""
    for pattern, target in routes:
        if re.search(pattern, hash_path):
            return re.sub(pattern, re.sub(r"\$(\d)", r"\\g<\1>", target), hash_path, count=1)
    return None


def test_mlflow_hash_urls_map_to_pages(ui):
    from runtime.ui.pages_experiments import hash_routes

    routes = hash_routes()
    run = "0123456789abcdef0123456789abcdef"
    cases = {
        "/experiments/1": "/experiments/1",
        "/experiments/1/runs": "/experiments/1",
        f"/experiments/1/runs/{run}": f"/runs/{run}",
        f"/experiments/1/runs/{run}/artifacts/model": f"/runs/{run}",
        "/experiments": "/experiments",
        "/models": "/models",
        "/models/my%20model": "/models/my%20model",
        "/models/m/versions/3": "/models/m/versions/3",
        "/experiments/5/traces": "/experiments/5/traces",
    }
    for hash_path, target in cases.items():
        assert apply_hash_routes(routes, hash_path) == target, hash_path
    # The map in the page is the same data.
    assert json.dumps(routes, separators=(",", ":")).replace("&", "\\u0026") in ui.get("/").text
    assert apply_hash_routes(routes, "//evil.example/x") is None


def test_ui_never_shadows_api_paths(ui):
    from runtime.server.app import collect_routes
    from runtime.server.context import ServerContext
    from runtime.server.config import ServerConfig
    from runtime.ui.routes import routes as ui_routes

    ctx = ServerContext(ServerConfig())
    ui_paths = {route.path for route in ui_routes(ctx)}
    api_paths = {route.path for route in collect_routes(ctx) if route.path not in ui_paths}
    for path in api_paths:
        first = path.strip("/").split("/")[0]
        assert not any(p.strip("/").split("/")[0] == first for p in ui_paths if p != "/"), path
    assert ui.get("/health").text == "OK"
    assert ui.get(api("/experiments/search"), params={"max_results": 5}).status_code == 200


def test_static_prefix_links(prefixed):
    experiment_id, _ = seed(prefixed, prefix="/sub/mlf")
    assert prefixed.get("/").status_code == 404
    response = prefixed.get("/sub/mlf/")
    assert response.status_code == 200
    run_id = re.search(r'"/sub/mlf/runs/([0-9a-f]+)"', prefixed.get(f"/sub/mlf/experiments/{experiment_id}").text)
    for path in ("/", f"/experiments/{experiment_id}", f"/runs/{run_id.group(1)}", f"/runs/{run_id.group(1)}/artifacts"):
        page = prefixed.get("/sub/mlf" + path)
        assert page.status_code == 200, path
        assert_escaped(page.text)
        for link in links(page.text):
            assert link.startswith("/sub/mlf/") or link == "data:,", (path, link)
        for url in static_urls(page.text):
            assert prefixed.get(url).status_code == 200
        assert 'data-prefix="/sub/mlf"' in page.text
    assert prefixed.get("/sub/mlf", follow_redirects=False).status_code in (307, 308)
    assert prefixed.get(f"/sub/mlf/experiments").status_code == 200
    assert 'var routes' in response.text and '"/sub/mlf"' in response.text


def test_compare_experiments_redirects_to_one_table(ui):
    response = ui.get("/compare-experiments", params=[("e", "1"), ("e", "2")], follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/experiments/1,2"
    response = ui.get("/compare-experiments", params={"mlflow": '["3","4"]'}, follow_redirects=False)
    assert response.headers["location"] == "/experiments/3,4"
    assert ui.get("/compare-experiments", params={"e": "../x"}).status_code == 400


def test_large_pages_are_gzip_compressed(ui):
    experiment_id, _ = seed(ui)
    response = ui.get(f"/experiments/{experiment_id}", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip" and "Accept-Encoding" in response.headers["vary"]
    plain = ui.get(f"/experiments/{experiment_id}", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == response.text
