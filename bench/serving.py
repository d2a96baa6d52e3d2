"""Model serving start-up and throughput: `models serve` of mlf against the real mlflow.

    python -m bench.serving [--seconds S] [--threads N] [--starts K]

Trains a small iris LogisticRegression and saves it with the real mlflow
(mlflow.sklearn.save_model, in its own venv), then serves that same folder with
each tool (--env-manager local), one at a time. Measures the time from process
start to the first successful /ping, then /invocations throughput and latency
with N client threads posting a 10-row dataframe_split body. Ratios are mlf/mlflow.
Start-up is measured --starts times, in turns with the floor: how long a bare python takes
to import scikit-learn and pandas, which any server of this model must do before its first
/ping. Medians are reported.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.procstat import compile_sources
from bench.server import (ROOT, free_port, mlflow_python, print_ratio_table, server_env, start, stop,
                          tree_rss_mib, wait_ready)

_TRAIN = """
import sys
import mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

features, labels = load_iris(return_X_y=True, as_frame=True)
model = LogisticRegression(max_iter=500).fit(features, labels)
mlflow.sklearn.save_model(model, sys.argv[1], signature=infer_signature(features, model.predict(features)))
"""

COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
BODY = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] * 5}})


def load(url, seconds, threads):
    """Requests/s, p50 ms and p95 ms of `threads` clients posting BODY for `seconds`."""
    import requests

    latencies, lock = [], threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        session, mine = requests.Session(), []
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            response = session.post(url, data=BODY, headers={"Content-Type": "application/json"}, timeout=30)
            if response.status_code != 200:
                raise RuntimeError(f"/invocations: {response.status_code} {response.text[:300]}")
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return (len(latencies) / elapsed, latencies[len(latencies) // 2] * 1000,
            latencies[int(len(latencies) * 0.95)] * 1000)


def command(name, model_dir, port):
    """argv and environment of `models serve` for one tool."""
    if name == "mlf":
        argv = [sys.executable, "-m", "runtime"]
        env = server_env(PYTHONPATH=str(ROOT))
    else:
        python = mlflow_python()
        argv = [python, "-m", "mlflow"]
        # mlflow starts its scoring server through executables of its own venv.
        env = server_env(PATH=f"{Path(python).parent}{os.pathsep}{os.environ['PATH']}")
    return argv + ["models", "serve", "-m", str(model_dir), "--env-manager", "local", "-p", str(port)], env


def started(name, model_dir, workdir):
    """(process, base url, seconds from process start to the first successful /ping)."""
    port = free_port()
    argv, env = command(name, model_dir, port)
    began = time.perf_counter()
    proc = start(argv, env, workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, f"{base}/ping")
    except BaseException:
        stop(proc)
        raise
    return proc, base, time.perf_counter() - began


def serve(name, model_dir, args, workdir):
    proc, base, startup = started(name, model_dir, workdir)
    try:
        load(f"{base}/invocations", 2, args.threads)  # warm-up
        rps, p50, p95 = load(f"{base}/invocations", args.seconds, args.threads)
        return {"rps": rps, "p50": p50, "p95": p95, "rss": tree_rss_mib(proc.pid)}
    finally:
        stop(proc)


def startups(model_dir, workdir, rounds):
    """Median start-up seconds of each tool and of the import floor, measured in turns."""
    timings = {"mlf": [], "mlflow": [], "floor": []}
    for _ in range(rounds):
        timings["floor"].append(import_floor())
        for name in ("mlf", "mlflow"):
            proc, _, seconds = started(name, model_dir, workdir)
            stop(proc)
            timings[name].append(seconds)
    return {name: sorted(values)[len(values) // 2] for name, values in timings.items()}


# What the model needs imported, with the cyclic collector off as mlf does while loading.
_FLOOR = "import gc; gc.disable(); import sklearn.linear_model, pandas"


def import_floor():
    """Seconds for a bare python to import what this model needs: no server of it can start faster."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", _FLOOR], check=True)
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="load duration per server (default 10)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--starts", type=int, default=5, help="start-up rounds; medians are reported (default 5)")
    args = parser.parse_args()

    compile_sources()
    with tempfile.TemporaryDirectory(prefix="mlf-bench-serving-") as folder:
        model_dir = Path(folder) / "model"
        subprocess.run([mlflow_python(), "-c", _TRAIN, str(model_dir)], env=server_env(), check=True,
                       capture_output=True)
        starts = startups(model_dir, folder, args.starts)
        results = {name: serve(name, model_dir, args, folder) for name in ("mlf", "mlflow")}
    for name in ("mlf", "mlflow"):
        results[name]["startup"] = starts[name]
    rows = [
        (f"start to first /ping (median of {args.starts})", "ms", "startup", 1000),
        (f"/invocations, {args.threads} threads, {args.seconds:g} s", "req/s", "rps", 1),
        ("/invocations latency p50", "ms", "p50", 1),
        ("/invocations latency p95", "ms", "p95", 1),
        ("RSS of server tree after the load", "MiB", "rss", 1),
    ]
    print_ratio_table("Model serving, sklearn iris LogisticRegression, 10-row dataframe_split",
                      [(label, unit, results["mlf"][key] * scale, results["mlflow"][key] * scale)
                       for label, unit, key, scale in rows])
    print(f"\nfloor (median of {args.starts}, taken in turns with the starts): a bare python importing "
          f"scikit-learn and pandas, collector off, takes {starts['floor'] * 1000:.0f} ms; "
          f"mlf's start minus the floor: {(starts['mlf'] - starts['floor']) * 1000:+.0f} ms")


if __name__ == "__main__":
    main()
