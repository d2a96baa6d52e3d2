"""Run `mlf` as a real process, the way users do."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mlf(*args, env=None, cwd=None, tracking_uri=None, input_text=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    environment["PYTHONPATH"] = str(ROOT) + os.pathsep + environment.get("PYTHONPATH", "")
    if tracking_uri is not None:
        environment["MLFLOW_TRACKING_URI"] = str(tracking_uri)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "runtime", *map(str, args)],
        capture_output=True, text=True, env=environment, cwd=cwd, input=input_text, timeout=120,
    )


def tree_snapshot(root):
    """Every file under root with its bytes: proof that a failed command wrote nothing."""
    root = Path(root)
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
