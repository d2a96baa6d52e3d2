"""`traces search` over 10,000 traces with a tag filter: mlf against mlflow on the same data.

    python -m bench.traces_search --mlflow-python PATH [--traces N] [--runs N] [--data DIR]

The traces are logged by the real MLflow client (the python at --mlflow-python,
e.g. tests/support/mlflow_venv.py's) three times: into a file store, into
MLflow's own sqlite database, and through `mlf server` into mlf's sqlite
database. One trace in ten has the tag env=prod. Each row is one command
process (start-up included), p50 of --runs runs:

  file    mlf and mlflow read the same folder
  sqlite  each tool reads its own database (the schemas differ), same traces
  server  both CLIs ask the same `mlf server` (sqlite behind it)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.procstat import ROOT, clean_env, compile_sources
FILTER = "tags.env = 'prod'"
LOGGER = textwrap.dedent("""
    import os, sys
    os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"
    import mlflow
    mlflow.set_tracking_uri(sys.argv[1])
    mlflow.set_experiment("bench-traces")

    @mlflow.trace(span_type="CHAIN")
    def answer(i):
        with mlflow.start_span("llm", span_type="LLM") as span:
            span.set_inputs({"q": i})
            span.set_outputs({"a": i * 2})
        mlflow.update_current_trace(tags={"env": "prod" if i % 10 == 0 else "dev"})
        return i * 2

    for i in range(int(sys.argv[2])):
        answer(i)
    print(mlflow.get_experiment_by_name("bench-traces").experiment_id)
""")


def _env(**extra):
    return clean_env(PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                     MLFLOW_ALLOW_FILE_STORE="true", **extra)


def log_traces(mlflow_python, uri, count):
    """Log count traces with the real client; returns the experiment id."""
    started = time.perf_counter()
    result = subprocess.run([mlflow_python, "-c", LOGGER, uri, str(count)], env=_env(), capture_output=True,
                            text=True, check=True)
    print(f"  logged {count} traces to {uri} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return result.stdout.strip().splitlines()[-1]


def p50(argv, uri, runs, expect):
    """Median wall seconds of argv with MLFLOW_TRACKING_URI=uri; checks the answer once."""
    walls = []
    for index in range(runs):
        started = time.perf_counter()
        result = subprocess.run(argv, env=_env(MLFLOW_TRACKING_URI=uri), capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr[-800:]}")
        if index == 0 and result.stdout.count("\ntr-") < expect:
            raise RuntimeError(f"{' '.join(argv)} found fewer than {expect} traces")
    return statistics.median(walls)


def main(argv=None):
    compile_sources()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlflow-python", required=True, help="python of a venv with mlflow 3.17.2")
    parser.add_argument("--traces", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", help="keep the logged traces in this folder and reuse them on the next run")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.server.live_server import LiveServer

    mlf = [sys.executable, "-m", "runtime", "traces", "search"]
    mlflow = [args.mlflow_python, "-m", "mlflow", "traces", "search"]
    expect = min(100, args.traces // 10)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(args.data or temp)
        folder.mkdir(parents=True, exist_ok=True)
        ids_file = folder / "experiments.json"
        ids = json.loads(ids_file.read_text()) if ids_file.exists() else {}
        file_uri = (folder / "mlruns").as_uri()
        mlflow_db = f"sqlite:///{folder / 'mlflow.db'}"
        mlf_db = f"sqlite:///{folder / 'mlf.db'}"
        if "file" not in ids:
            print("logging traces with the MLflow client ...", file=sys.stderr)
            ids["file"] = log_traces(args.mlflow_python, file_uri, args.traces)
            ids["mlflow_sqlite"] = log_traces(args.mlflow_python, mlflow_db, args.traces)
        rows = []
        with LiveServer(mlf_db, folder / "mlartifacts", cwd=folder) as server:
            if "server" not in ids:
                ids["server"] = log_traces(args.mlflow_python, server.url, args.traces)
            ids_file.write_text(json.dumps(ids))

            def row(label, tool, uri, experiment):
                command = tool + ["-x", experiment, "--filter-string", FILTER]
                rows.append((label, p50(command, uri, args.runs, expect)))
                print(f"  {label}: {rows[-1][1] * 1000:.0f} ms", file=sys.stderr)

            row("mlf    traces search (file)", mlf, file_uri, ids["file"])
            row("mlflow traces search (file)", mlflow, file_uri, ids["file"])
            row("mlf    traces search (sqlite)", mlf, mlf_db, ids["server"])
            row("mlflow traces search (sqlite)", mlflow, mlflow_db, ids["mlflow_sqlite"])
            row("mlf    traces search (mlf server, sqlite)", mlf, server.url, ids["server"])
            row("mlflow traces search (mlf server, sqlite)", mlflow, server.url, ids["server"])
    print(f"\ntraces search -x <id> --filter-string \"{FILTER}\" (table) over {args.traces} traces "
          f"(100 matches shown, spans fetched); p50 of {args.runs} runs, whole process")
    print(f"{'command':45} {'p50 ms':>9}")
    for label, wall in rows:
        print(f"{label:45} {wall * 1000:9.0f}")
    for store in ("file", "sqlite", "mlf server, sqlite"):
        ours = next(w for label, w in rows if label.startswith("mlf ") and f"({store})" in label)
        theirs = next(w for label, w in rows if label.startswith("mlflow") and f"({store})" in label)
        print(f"{store}: mlf takes {ours / theirs:.2f}x the time of mlflow")


if __name__ == "__main__":
    main()
