"""Artifacts through the tracking server's proxy into S3: mlf against the real mlflow, side by side.

    python -m bench.s3_proxy [--size-mb 200] [--small 100]

One moto S3 server on loopback (tests/support/moto_server.py) is the store for both. Each
tracking server runs alone (one worker, sqlite backend, --artifacts-destination s3://...) and is
driven with plain `requests`: one large file up (PUT streamed from disk) and back down (GET
streamed to disk), then many small files up. Reported: seconds, and how much the server's peak
memory grew during the large transfers (VmHWM summed over its process tree, after minus before).
The mlflow server needs boto3, so it runs from its own cached venv (mlflow 3.17.2 + boto3),
built on first use under the mlf test cache.
"""

import argparse
import fcntl
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.procstat import ROOT, clean_env, compile_sources
from bench.server import free_port, print_ratio_table, start, stop, tree_status_kib, wait_ready

PROXY = "/api/2.0/mlflow-artifacts/artifacts"
MLFLOW_VERSION = "3.17.2"


def mlflow_with_boto3():
    """python of a cached venv holding mlflow and boto3 (the test peer venv has no boto3)."""
    sys.path.insert(0, str(ROOT))
    from tests.support.mlflow_venv import cache_root

    root = cache_root() / f"mlflow-{MLFLOW_VERSION}-boto3"
    python, marker = root / "bin" / "python", root / ".complete"
    if not marker.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        with open(root.parent / f".{root.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not marker.exists():
                subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
                subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"mlflow=={MLFLOW_VERSION}", "boto3"],
                               check=True)
                marker.write_text(MLFLOW_VERSION)
    return str(python)


def tree_peak_kib(pid):
    """VmHWM (peak resident memory) summed over pid and its descendants."""
    return tree_status_kib(pid, "VmHWM")


def big_file(folder, size_mb):
    path = Path(folder) / "weights.bin"
    block = os.urandom(1 << 20)
    with open(path, "wb") as handle:
        for index in range(size_mb):
            handle.write(index.to_bytes(8, "big") + block[8:])
    return path


def drive(base, pid, big, small):
    """{measure: value} for one running server."""
    import requests

    session = requests.Session()
    session.put(f"{base}{PROXY}/warm/up.txt", data=b"warm").raise_for_status()  # imports boto3, builds the client
    session.get(f"{base}{PROXY}/warm/up.txt").raise_for_status()
    time.sleep(0.5)
    before = tree_peak_kib(pid)
    began = time.perf_counter()
    with open(big, "rb") as handle:
        session.put(f"{base}{PROXY}/bench/weights.bin", data=handle).raise_for_status()
    upload = time.perf_counter() - began
    began = time.perf_counter()
    with session.get(f"{base}{PROXY}/bench/weights.bin", stream=True) as answer, \
            tempfile.TemporaryFile() as sink:
        answer.raise_for_status()
        for chunk in answer.iter_content(1 << 20):
            sink.write(chunk)
        received = sink.tell()
    download = time.perf_counter() - began
    if received != big.stat().st_size:
        raise RuntimeError(f"downloaded {received} bytes of {big.stat().st_size}")
    growth_mib = (tree_peak_kib(pid) - before) / 1024
    began = time.perf_counter()
    for index in range(small):
        session.put(f"{base}{PROXY}/bench/small/f{index}.json", data=b'{"x": %d}' % index).raise_for_status()
    small_ms = (time.perf_counter() - began) * 1000 / small
    return {"upload": upload, "download": download, "growth": growth_mib, "small": small_ms}


def run_server(argv, env, base, big, small):
    proc = start(argv, env, tempfile.mkdtemp())
    try:
        wait_ready(proc, base + "/health")
        return drive(base, proc.pid, big, small)
    finally:
        stop(proc)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--small", type=int, default=100)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.support.moto_server import MotoServer

    compile_sources()
    mlflow_python = mlflow_with_boto3()
    work = Path(tempfile.mkdtemp(prefix="mlf-bench-s3-"))
    big = big_file(work, args.size_mb)
    results = {}
    with MotoServer() as aws:
        aws.create_bucket("bench-artifacts")
        env = clean_env(**aws.env, PYTHONPATH=str(ROOT))
        for tool, python, module in (("mlf", sys.executable, "runtime"), ("mlflow", mlflow_python, "mlflow")):
            port = free_port()
            argv = [python, "-m", module, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                    "--backend-store-uri", f"sqlite:///{work / (tool + '.db')}",
                    "--artifacts-destination", f"s3://bench-artifacts/{tool}"]
            results[tool] = run_server(argv, env, f"http://127.0.0.1:{port}", big, args.small)
            aws.reset()
            aws.create_bucket("bench-artifacts")
    mlf, mlflow = results["mlf"], results["mlflow"]
    print_ratio_table(f"Artifacts proxy into S3 (moto on loopback), {args.size_mb} MB file, one worker", [
        (f"upload {args.size_mb} MB", "s", mlf["upload"], mlflow["upload"]),
        (f"download {args.size_mb} MB", "s", mlf["download"], mlflow["download"]),
        ("server peak memory growth (up + down)", "MiB", mlf["growth"], mlflow["growth"]),
        (f"upload one small file (mean of {args.small})", "ms", mlf["small"], mlflow["small"]),
    ])


if __name__ == "__main__":
    main()
