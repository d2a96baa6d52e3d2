"""Deployment plugins for the tests, installed once per session into a folder put on PYTHONPATH.

Each plugin project (a pyproject.toml and its packages) is installed the way a wheel lands in
site-packages: the packages, and a dist-info whose entry_points.txt comes from the project's
[project.entry-points] table. Nothing touches the venv the suite runs in, and no build
backend is needed.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
PLUGIN_PROJECTS = ("faketarget", "brokentargets")


def install_plugin_project(project, site):
    """Install one plugin project into the folder site (packages + dist-info with entry points)."""
    meta = tomllib.loads((project / "pyproject.toml").read_text())
    name, version = meta["project"]["name"], meta["project"]["version"]
    for package in meta["tool"]["setuptools"]["packages"]:
        shutil.copytree(project / package, site / package, ignore=shutil.ignore_patterns("__pycache__"))
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = []
    for group, entries in meta["project"].get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines.extend(f"{key} = {value}" for key, value in entries.items())
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    (dist_info / "INSTALLER").write_text("mlf-tests\n")


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("deployment-plugins")
    for name in PLUGIN_PROJECTS:
        install_plugin_project(HERE / name, site)
    return site


@pytest.fixture
def mlf(plugin_site, tmp_path):
    """Run `mlf ...` as a process that sees the test plugins; returns the CompletedProcess."""

    def run(*args, env=None, cwd=None, input=None):
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DATABRICKS_", "AWS_"))}
        environ["PYTHONPATH"] = os.pathsep.join([str(plugin_site), str(PROJECT_ROOT)])
        environ["HOME"] = str(tmp_path)
        environ.pop("MLF_DEBUG", None)
        environ.update(env or {})
        return subprocess.run([sys.executable, "-m", "runtime", *args], capture_output=True, text=True,
                              env=environ, cwd=cwd or tmp_path, input=input, timeout=120)

    return run
