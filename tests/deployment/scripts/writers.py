"""Many real MLflow clients writing to two tracking servers at once, each checked through the other.

Run with the pinned mlflow venv's python:   writers.py URL_A URL_B WRITERS STEPS
Writer i talks to server A when i is even, B when odd. It creates its own experiment and run,
logs params, tags, metric points one call at a time and in batches, and a small artifact.
When every writer is done, each run is read back through the *other* server and compared with
what was sent. The last stdout line is JSON: {"runs": n, "points": n, "problems": [...]}.
"""

import json
import os
import sys
import tempfile
import threading
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

KEYS = ("loss", "accuracy")


def expected_points(writer, steps):
    """{key: [(step, value)]}: what writer logs, single calls then one batch for the second half."""
    return {key: [(step, round(writer + step / (k + 2), 6)) for step in range(steps)] for k, key in enumerate(KEYS)}


def write(writer, url, steps, results, workdir):
    client = MlflowClient(tracking_uri=url)
    experiment_id = client.create_experiment(f"deployment-writer-{writer}")
    run = client.create_run(experiment_id, tags={"writer": str(writer)}, run_name=f"writer-{writer}")
    run_id = run.info.run_id
    client.log_param(run_id, "writer", str(writer))
    client.log_batch(run_id, params=[Param(f"p{i}", f"v{writer}-{i}") for i in range(20)])
    points = expected_points(writer, steps)
    half = steps // 2
    now = int(time.time() * 1000)
    for key, series in points.items():
        for step, value in series[:half]:
            client.log_metric(run_id, key, value, timestamp=now + step, step=step)
    batch = [Metric(key, value, now + step, step) for key, series in points.items() for step, value in series[half:]]
    for start in range(0, len(batch), 100):
        client.log_batch(run_id, metrics=batch[start:start + 100], tags=[RunTag("batch", str(start))])
    note = os.path.join(workdir, f"note-{writer}.txt")
    with open(note, "w") as handle:
        handle.write(f"writer {writer} was here\n")
    client.log_artifact(run_id, note, artifact_path="notes")
    client.set_terminated(run_id)
    results[writer] = (experiment_id, run_id)


def check(writer, url, steps, experiment_id, run_id, workdir):
    """Problems seen when reading writer's run through url (the server it did not write to)."""
    client = MlflowClient(tracking_uri=url)
    problems = []
    run = client.get_run(run_id)
    if run.info.experiment_id != experiment_id or run.info.status != "FINISHED":
        problems.append(f"writer {writer}: run info {run.info.experiment_id} {run.info.status}")
    params = run.data.params
    if params.get("writer") != str(writer) or len(params) != 21:
        problems.append(f"writer {writer}: {len(params)} params")
    if run.data.tags.get("writer") != str(writer):
        problems.append(f"writer {writer}: tags {run.data.tags}")
    for key, series in expected_points(writer, steps).items():
        history = sorted((m.step, m.value) for m in client.get_metric_history(run_id, key))
        if history != series:
            problems.append(f"writer {writer}: {key} has {len(history)} of {len(series)} points or wrong values")
    folder = client.download_artifacts(run_id, "notes", tempfile.mkdtemp(dir=workdir))
    with open(os.path.join(folder, f"note-{writer}.txt")) as handle:
        if handle.read() != f"writer {writer} was here\n":
            problems.append(f"writer {writer}: artifact differs")
    if client.get_experiment_by_name(f"deployment-writer-{writer}").experiment_id != experiment_id:
        problems.append(f"writer {writer}: experiment id differs between servers")
    return problems


def run_all(target, items):
    errors = []

    def guarded(*args):
        try:
            target(*args)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none may hide
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=guarded, args=args) for args in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def main(url_a, url_b, writers, steps):
    workdir = tempfile.mkdtemp()
    urls = (url_a, url_b)
    results = {}
    errors = run_all(write, [(w, urls[w % 2], steps, results, workdir) for w in range(writers)])
    problems = list(errors)
    found = []
    checks = [(w, urls[(w + 1) % 2], steps, *results[w], workdir) for w in sorted(results)]
    problems += run_all(lambda *args: found.extend(check(*args)), checks)
    problems += found
    experiment_ids = [experiment_id for experiment_id, _ in results.values()]
    if len(set(experiment_ids)) != len(experiment_ids):
        problems.append(f"experiment ids repeat: {sorted(experiment_ids)}")
    seen = MlflowClient(tracking_uri=url_a).search_runs(experiment_ids, max_results=1000)
    if len(seen) != writers:
        problems.append(f"search through A sees {len(seen)} runs, expected {writers}")
    print(json.dumps({"runs": len(results), "points": len(results) * steps * len(KEYS),
                      "experiment_ids": sorted(experiment_ids, key=int), "problems": problems}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
