"""Drive Debian's Chromium with Playwright (never a downloaded browser) against a live `mlf server`."""

import os
import shutil

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")
# No sandbox as root; no background traffic to hosts that this closed network cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path():
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def require_browser():
    """Skip locally when Chromium or Playwright is missing; in CI (CI=true) that is a failure."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed; CI must run the browser suite")
        pytest.skip("playwright is not installed")
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed")
    return path


def launch(playwright, path):
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
