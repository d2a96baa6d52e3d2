"""Whole-process timing: wall time and peak resident memory of a command, run many times.

Each run goes through a small fresh Python launcher that times the command and
reads its peak RSS. Forking straight from this (large) benchmark process would
make every child report the parent's memory as its own peak.
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_LAUNCHER = r"""
import json, os, resource, subprocess, sys, time
argv = json.loads(sys.argv[1])
start = time.perf_counter()
result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_kib": peak_kib, "code": result.returncode,
                  "stderr": result.stderr.decode(errors="replace")[-500:]}))
"""


def clean_env(**extra):
    """The environment for measured processes.

    MLFLOW_* settings are dropped, since they would steer either tool. Bytecode caching is
    back on: an installed package runs from .pyc files, while PYTHONDONTWRITEBYTECODE would
    make mlf compile its sources again on every start.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def compile_sources():
    """Write mlf's .pyc files once, as pip does for an installed package."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "runtime"), str(ROOT / "handlers")],
                   env=clean_env(), check=True, stdout=subprocess.DEVNULL)


def measure(argv, runs=10, env=None, cwd=None):
    """Median wall seconds and max peak RSS (MiB) over `runs` executions of argv."""
    walls, peaks = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _LAUNCHER, json.dumps(argv)], env=env, cwd=cwd,
                             capture_output=True, text=True, check=True).stdout
        sample = json.loads(out)
        if sample["code"] != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {sample['stderr']}")
        walls.append(sample["wall"])
        peaks.append(sample["peak_kib"] / 1024)  # Linux reports KiB
    return statistics.median(walls), max(peaks)


def print_table(title, rows, baseline):
    """rows: [(label, wall, peak)]; ratios against baseline=(wall, peak)."""
    base_wall, base_peak = baseline
    print(f"\n{title}")
    print(f"{'command':58} {'median ms':>10} {'x python':>9} {'peak MiB':>9} {'x python':>9}")
    for label, wall, peak in rows:
        print(f"{label:58} {wall * 1000:10.1f} {wall / base_wall:9.2f} {peak:9.1f} {peak / base_peak:9.2f}")
