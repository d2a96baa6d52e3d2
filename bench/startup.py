"""Start-up and file/SQL store command benchmarks, as ratios against `python -c pass`.

    python -m bench.startup [--runs N] [--with-mlflow]

Builds its data sets in a temporary folder: a file store with 10 experiments x
100 runs, and file and sqlite stores with 5,000 runs in one experiment.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.procstat import ROOT, clean_env, compile_sources, measure, print_table



def _populate(store, experiments, runs_per_experiment):
    from runtime.entities import Metric, Param, RunTag

    now = int(time.time() * 1000)
    ids = []
    for e in range(experiments):
        experiment_id = store.create_experiment(f"bench-{e}")
        ids.append(experiment_id)
        for r in range(runs_per_experiment):
            run = store.create_run(experiment_id, user_id="bench", start_time=now + r, tags={}, run_name=f"run-{r}")
            store.log_batch(run.info.run_id, metrics=[Metric("loss", 1.0 / (r + 1), now, 0)],
                            params=[Param("lr", "0.01")], tags=[RunTag("team", "bench")])
    return ids


def build_stores(folder):
    from runtime.store.factory import get_tracking_store

    wide = folder / "wide"
    store = get_tracking_store(str(wide))
    _populate(store, 10, 100)
    deep_file = folder / "deep"
    deep_ids = _populate(get_tracking_store(str(deep_file)), 1, 5000)
    sqlite_uri = f"sqlite:///{folder / 'deep.db'}"
    sql_store = get_tracking_store(sqlite_uri, (folder / "art").as_uri())
    sql_ids = _populate(sql_store, 1, 5000)
    sql_store.close()
    return {"wide": str(wide), "deep_file": (str(deep_file), deep_ids[0]), "deep_sql": (sqlite_uri, sql_ids[0])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mlflow-python", help="python of a venv with mlflow installed, for a side-by-side row")
    args = parser.parse_args(argv)
    python = sys.executable
    compile_sources()
    env = clean_env(PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        print("building data sets ...", file=sys.stderr)
        data = build_stores(folder)
        mlf = [python, "-m", "runtime"]
        baseline = measure([python, "-c", "pass"], args.runs, env)
        rows = []

        def row(label, argv, uri=None):
            # mlflow 3 refuses file stores unless told they are wanted.
            run_env = dict(env, MLFLOW_ALLOW_FILE_STORE="true", **({"MLFLOW_TRACKING_URI": uri} if uri else {}))
            wall, peak = measure(argv, args.runs, run_env, cwd=temp)
            rows.append((label, wall, peak))

        row("mlf --version", mlf + ["--version"])
        row("mlf --help", mlf + ["--help"])
        row("mlf experiments search (file, 10 exp x 100 runs)", mlf + ["experiments", "search"], data["wide"])
        uri, experiment_id = data["deep_file"]
        row("mlf runs list (file, 5,000 runs)", mlf + ["runs", "list", "--experiment-id", experiment_id], uri)
        uri, experiment_id = data["deep_sql"]
        row("mlf runs list (sqlite, 5,000 runs)", mlf + ["runs", "list", "--experiment-id", experiment_id], uri)
        if args.mlflow_python:
            mlflow = [args.mlflow_python, "-m", "mlflow"]
            row("mlflow --help", mlflow + ["--help"])
            row("mlflow experiments search (file, 10 x 100)", mlflow + ["experiments", "search"], data["wide"])
            uri, experiment_id = data["deep_file"]
            row("mlflow runs list (file, 5,000 runs)", mlflow + ["runs", "list", "--experiment-id", experiment_id], uri)
        print_table(f"median of {args.runs} runs; baseline python -c pass = {baseline[0] * 1000:.1f} ms, "
                    f"{baseline[1]:.1f} MiB", rows, baseline)


if __name__ == "__main__":
    main()
