"""Tracking server throughput and memory: mlf against the real mlflow, side by side.

    python -m bench.server [--search-runs N] [--workers N] [--postgres]

Each server runs as a whole process on 127.0.0.1 with its own fresh backend of
the same kind (sqlite by default) and is driven with plain `requests` over the
REST API, one server at a time so they never compete for the CPU. Ratios are
mlf/mlflow: above 1 means mlf is faster for requests/s, slower for ms.

Without --workers each server runs at its own default (mlf: 1 worker process,
mlflow: 4 uvicorn workers); memory is the RSS summed over the whole process tree.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.procstat import ROOT, clean_env, compile_sources

API = "/api/2.0/mlflow"


# --- whole-process helpers (also used by bench.serving) ---------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mlflow_python():
    sys.path.insert(0, str(ROOT))
    from tests.support.mlflow_venv import mlflow_python as locate

    return locate()


server_env = clean_env


def start(argv, env, cwd):
    # Own session so the whole tree (uvicorn workers included) can be signalled at once.
    return subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def wait_ready(proc, url, timeout=120.0):
    """Poll url until it answers 200; seconds waited. Fails if the process dies."""
    import requests

    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - began
        except requests.RequestException:  # refused, or accepted by a worker still booting
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def stop(proc):
    """SIGTERM the process group, SIGKILL it if it is still there after 10 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.stderr.close()


def tree_status_kib(pid, field="VmRSS"):
    """A /proc status field (VmRSS, VmHWM, ... in KiB) summed over pid and all its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total_kib, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total_kib += int(line.split()[1])
        except OSError:
            pass
    return total_kib


def tree_rss_mib(pid):
    """Resident memory of pid and all its descendants, from /proc."""
    return tree_status_kib(pid) / 1024


def print_ratio_table(title, rows):
    """rows: [(label, unit, mlf value, mlflow value)]."""
    print(f"\n{title}")
    print(f"{'measure':44} {'unit':>8} {'mlf':>10} {'mlflow':>10} {'mlf/mlflow':>11}")
    for label, unit, mine, theirs in rows:
        ratio = mine / theirs if theirs else float("nan")
        print(f"{label:44} {unit:>8} {mine:10.1f} {theirs:10.1f} {ratio:11.2f}")


# --- the workload -----------------------------------------------------------

class Client:
    def __init__(self, base):
        import requests

        self.base = base
        self.session = requests.Session()

    def post(self, route, body):
        response = self.session.post(f"{self.base}{API}/{route}", json=body, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"{route}: {response.status_code} {response.text[:300]}")
        return response.json()

    def get(self, route, params):
        response = self.session.get(f"{self.base}{API}/{route}", params=params, timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"{route}: {response.status_code} {response.text[:300]}")
        return response.json()

    def create_run(self, experiment_id, start_time=None, tags=()):
        body = {"experiment_id": experiment_id, "start_time": start_time or int(time.time() * 1000),
                "tags": [{"key": k, "value": v} for k, v in tags]}
        return self.post("runs/create", body)["run"]["info"]["run_id"]


def per_second(count, action):
    began = time.perf_counter()
    for i in range(count):
        action(i)
    return count / (time.perf_counter() - began)


def ms_per_op(count, action):
    began = time.perf_counter()
    for i in range(count):
        action(i)
    return (time.perf_counter() - began) * 1000 / count


def metric(key, value, step, now):
    return {"key": key, "value": value, "timestamp": now + step, "step": step}


def populate_search(base, experiment_id, runs, threads=4):
    """runs runs, half tagged parity=even, created by a few threads to keep setup short."""
    now = int(time.time() * 1000)

    def worker(offset):
        client = Client(base)
        for i in range(offset, runs, threads):
            client.create_run(experiment_id, start_time=now + i,
                              tags=[("parity", "even" if i % 2 == 0 else "odd")])

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def concurrent_logging(base, experiment_id, clients=8, seconds=15.0):
    """Requests/s and failed requests of `clients` threads each logging to its own run."""
    done, failed = [0] * clients, [0] * clients
    deadline = time.perf_counter() + seconds

    def worker(slot):
        client = Client(base)
        run_id = client.create_run(experiment_id)
        step = 0
        while time.perf_counter() < deadline:
            try:
                client.post("runs/log-metric", dict(run_id=run_id, **metric("c", 0.5, step, 0)))
                done[slot] += 1
            except Exception:
                failed[slot] += 1
            step += 1

    began = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(t,)) for t in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(done) / (time.perf_counter() - began), sum(failed)


def workload(base, proc, search_runs):
    """All measures for one running server, in table order."""
    client = Client(base)
    experiment_id = client.post("experiments/create", {"name": f"bench-{uuid.uuid4().hex[:8]}"})["experiment_id"]
    for _ in range(20):  # warm-up: imports, connection pools, first-query caches
        client.create_run(experiment_id)
    time.sleep(2)
    results = {"idle": tree_rss_mib(proc.pid)}

    results["create"] = per_second(200, lambda i: client.create_run(experiment_id))
    run_id = client.create_run(experiment_id)
    now = int(time.time() * 1000)
    results["log_metric"] = per_second(
        500, lambda i: client.post("runs/log-metric", dict(run_id=run_id, **metric("m", i * 0.1, i, now))))
    results["log_batch"] = ms_per_op(30, lambda i: client.post("runs/log-batch", {
        "run_id": run_id, "metrics": [metric(f"b{i}", j * 0.1, j, now) for j in range(500)]}))

    history_run = client.create_run(experiment_id)
    for chunk in range(20):
        client.post("runs/log-batch", {"run_id": history_run, "metrics": [
            metric("h", s * 0.5, s, now) for s in range(chunk * 500, chunk * 500 + 500)]})

    def history(_):
        points = client.get("metrics/get-history", {"run_id": history_run, "metric_key": "h"})["metrics"]
        if len(points) != 10_000:
            raise RuntimeError(f"get-history returned {len(points)} points")
    results["history"] = ms_per_op(10, history)

    search_experiment = client.post("experiments/create", {"name": f"search-{uuid.uuid4().hex[:8]}"})["experiment_id"]
    began = time.perf_counter()
    populate_search(base, search_experiment, search_runs)
    results["setup"] = time.perf_counter() - began

    def search(_):
        found = client.post("runs/search", {"experiment_ids": [search_experiment],
                                            "filter": "tags.parity = 'even'",
                                            "order_by": ["attributes.start_time DESC"],
                                            "max_results": 100})["runs"]
        if len(found) != 100:
            raise RuntimeError(f"search returned {len(found)} runs")
    search(0)
    results["search"] = ms_per_op(10, search)

    results["concurrent"], results["failed"] = concurrent_logging(base, experiment_id)
    time.sleep(2)
    results["after"] = tree_rss_mib(proc.pid)
    return results


def backend_uri(kind, folder, name):
    if kind == "sqlite":
        return f"sqlite:///{folder}/{name}.db"
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def postgres_database(name, create):
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}" if create else f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_server(name, python, args, folder):
    kind = "postgres" if args.postgres else "sqlite"
    database = f"mlf_bench_{name}_{uuid.uuid4().hex[:8]}"
    if args.postgres:
        postgres_database(database, create=True)
    port = free_port()
    argv = [python, "-m", "runtime" if name == "mlf" else "mlflow", "server",
            "--backend-store-uri", backend_uri(kind, folder, database),
            "--host", "127.0.0.1", "--port", str(port)]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    env = server_env(PYTHONPATH=str(ROOT)) if name == "mlf" else server_env()
    workdir = Path(folder) / name
    workdir.mkdir()
    proc = start(argv, env, workdir)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(proc, f"{base}/health")
        return workload(base, proc, args.search_runs)
    finally:
        stop(proc)
        if args.postgres:
            postgres_database(database, create=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-runs", type=int, default=5000,
                        help="runs in the searched experiment (default 5000)")
    parser.add_argument("--workers", type=int, help="worker processes for both servers (default: each its own)")
    parser.add_argument("--postgres", action="store_true",
                        help="PostgreSQL on 127.0.0.1:5432 instead of sqlite (mlflow's venv needs psycopg2)")
    args = parser.parse_args()

    compile_sources()
    results = {}
    with tempfile.TemporaryDirectory(prefix="mlf-bench-server-") as folder:
        for name, python in (("mlf", sys.executable), ("mlflow", mlflow_python())):
            results[name] = run_server(name, python, args, folder)
            print(f"{name}: search setup of {args.search_runs} runs took {results[name]['setup']:.1f} s, "
                  f"{results[name]['failed']} failed requests under concurrency", file=sys.stderr)
    mine, theirs = results["mlf"], results["mlflow"]
    rows = [
        ("runs/create, sequential (N=200)", "req/s", "create"),
        ("runs/log-metric, sequential (N=500)", "req/s", "log_metric"),
        ("runs/log-batch of 500 metrics (N=30)", "ms/req", "log_batch"),
        (f"runs/search 100 of {args.search_runs}, filter+order (N=10)", "ms/req", "search"),
        ("metrics/get-history, 10,000 points (N=10)", "ms/req", "history"),
        ("log-metric, 8 client threads, 15 s", "req/s", "concurrent"),
        ("RSS of server tree, idle after warm-up", "MiB", "idle"),
        ("RSS of server tree, after the workload", "MiB", "after"),
    ]
    workers = f"--workers {args.workers} for both" if args.workers else "default workers: mlf 1, mlflow 4"
    print_ratio_table(f"Tracking server, {'postgres' if args.postgres else 'sqlite'} backend ({workers})",
                      [(label, unit, mine[key], theirs[key]) for label, unit, key in rows])


if __name__ == "__main__":
    main()
