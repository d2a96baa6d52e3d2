"""A pinned real MLflow in its own virtual environment, used as a test peer.

The product never imports mlflow; compatibility tests run the real client or
server as a subprocess with this interpreter. The environment is built once and
cached between runs (MLF_TEST_CACHE, default ~/.cache/mlf-test).
"""

import os
import subprocess
import sys
from pathlib import Path

MLFLOW_VERSION = "3.17.2"
EXTRA_PACKAGES = ["scikit-learn", "pandas"]


def cache_root():
    return Path(os.environ.get("MLF_TEST_CACHE", Path.home() / ".cache" / "mlf-test"))


def venv_dir():
    return cache_root() / f"mlflow-{MLFLOW_VERSION}"


def mlflow_python():
    """Path of the python that has the pinned mlflow; builds the venv on first use."""
    root = venv_dir()
    python = root / "bin" / "python"
    marker = root / ".complete"
    if marker.exists():
        return str(python)
    root.parent.mkdir(parents=True, exist_ok=True)
    lock = root.parent / f".{root.name}.lock"
    import fcntl

    with open(lock, "w") as handle:
        # Several test processes may ask at once; only one builds.
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", f"mlflow=={MLFLOW_VERSION}", *EXTRA_PACKAGES],
                check=True,
            )
            marker.write_text(MLFLOW_VERSION)
    return str(python)


if __name__ == "__main__":
    print(mlflow_python())
