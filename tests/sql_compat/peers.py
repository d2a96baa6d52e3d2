"""Peer Python environments for the database compatibility tests.

Each older mlflow release lives in its own cached virtual environment next to the
3.17.2 one (tests/support/mlflow_venv.py), built once under a file lock. The
database drivers mlflow needs for PostgreSQL and MySQL are installed into a
separate folder put on PYTHONPATH, so the shared 3.17.2 environment is never
modified.
"""

import fcntl
import os
import shutil
import subprocess
import sys

from tests.support.mlflow_venv import cache_root, mlflow_python

# Older releases whose databases `mlf db upgrade` must bring to the head. Each pin
# installs on Python 3.11 from PyPI; the extra pins keep their dependencies buildable.
OLD_MLFLOWS = {
    "1.30.1": ["mlflow==1.30.1", "sqlalchemy<2", "pandas<2", "numpy<1.24", "protobuf<4"],
    "2.9.2": ["mlflow==2.9.2", "sqlalchemy<2", "pandas<2", "numpy<2"],
    "3.1.0": ["mlflow==3.1.0", "sqlalchemy<2.1", "numpy<2"],
}
DRIVER_PACKAGES = ["psycopg2-binary==2.9.10", "pymysql==1.1.1"]


def _build_once(name, build, recipe):
    """Run build(path) once per cache for the environment called name; return the path.

    recipe (the package list) is recorded: an environment built from another recipe is rebuilt.
    """
    root = cache_root() / name
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == recipe:
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not (marker.exists() and marker.read_text() == recipe):
            shutil.rmtree(root, ignore_errors=True)
            build(root)
            marker.write_text(recipe)
    return root


def drivers_path():
    """A folder holding psycopg2 and PyMySQL for any peer environment's PYTHONPATH."""

    def build(root):
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(root), *DRIVER_PACKAGES], check=True
        )

    return str(_build_once("db-drivers", build, " ".join(DRIVER_PACKAGES)))


def old_mlflow_python(version):
    """The python of a cached environment holding mlflow==version (built on first use)."""

    def build(root):
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
        subprocess.run([str(root / "bin" / "python"), "-m", "pip", "install", "--quiet", *OLD_MLFLOWS[version]], check=True)

    return str(_build_once(f"mlflow-{version}", build, " ".join(OLD_MLFLOWS[version])) / "bin" / "python")


def peer_python(version):
    return mlflow_python() if version == "3.17.2" else old_mlflow_python(version)


def peer_env(extra=None):
    """Environment for a peer process: drivers importable, no mlf venv leaking in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = drivers_path()
    env.setdefault("GIT_PYTHON_REFRESH", "quiet")
    env.update(extra or {})
    return env


if __name__ == "__main__":
    print(drivers_path())
    for wanted in sys.argv[1:] or OLD_MLFLOWS:
        print(old_mlflow_python(wanted))
