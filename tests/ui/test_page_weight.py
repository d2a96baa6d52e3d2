"""Page-weight budget: the compressed static files each page references stay within 100 KB."""

import re

from tests.ui.conftest import seed, upload_artifacts

BUDGET = 100 * 1024


def static_weight(html):
    """Sum of the gzip sizes of the /ui-static files a page links (scripts, stylesheets, images)."""
    from runtime.ui.assets import CATALOG

    total = 0
    for digest, name in re.findall(r'(?:href|src)="[^"]*/ui-static/([0-9a-f]+)/([^"]+)"', html):
        asset = CATALOG.find(digest, name)
        assert asset is not None, name
        total += len(asset.gzipped)
    return total


def test_every_page_within_budget(ui):
    experiment_id, runs = seed(ui)
    upload_artifacts(ui, runs[0])
    pages = ["/", "/experiments", f"/experiments/{experiment_id}", f"/runs/{runs[0]}", f"/runs/{runs[0]}/artifacts",
             f"/runs/{runs[0]}/artifacts?path=table.csv"]
    for path in pages:
        response = ui.get(path)
        assert response.status_code == 200, path
        weight = static_weight(response.text)
        assert 0 < weight <= BUDGET, (path, weight)
