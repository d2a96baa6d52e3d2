"""Whole-process timing: wall time and peak resident memory of a command, run many times."""

import os
import statistics
import subprocess
import time


def measure(argv, runs=10, env=None, cwd=None):
    """Median wall seconds and max peak RSS (MiB) over `runs` executions of argv."""
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {process.stderr.read().decode()[-500:]}")
        peaks.append(usage.ru_maxrss / 1024)  # Linux reports KiB
    return statistics.median(walls), max(peaks)


def print_table(title, rows, baseline):
    """rows: [(label, wall, peak)]; ratios against baseline=(wall, peak)."""
    base_wall, base_peak = baseline
    print(f"\n{title}")
    print(f"{'command':58} {'median ms':>10} {'x python':>9} {'peak MiB':>9} {'x python':>9}")
    for label, wall, peak in rows:
        print(f"{label:58} {wall * 1000:10.1f} {wall / base_wall:9.2f} {peak:9.1f} {peak / base_peak:9.2f}")
