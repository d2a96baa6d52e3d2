"""Export the runs of an experiment as CSV (`mlf experiments csv`)."""

import csv
import io

from runtime.tracking_ops import search_all_runs

_ATTRIBUTES = ["run_id", "run_name", "experiment_id", "status", "user_id", "start_time", "end_time",
               "artifact_uri", "lifecycle_stage"]


def runs_csv_text(runs):
    params = sorted({k for r in runs for k in r.params})
    metrics = sorted({k for r in runs for k in r.metrics})
    tags = sorted({k for r in runs for k in r.tags})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_ATTRIBUTES + [f"params.{k}" for k in params] + [f"metrics.{k}" for k in metrics]
                    + [f"tags.{k}" for k in tags])
    for run in runs:
        info = run.info
        row = [getattr(info, name) for name in _ATTRIBUTES]
        row += [run.params.get(k, "") for k in params]
        row += [run.metrics[k].value if k in run.metrics else "" for k in metrics]
        row += [run.tags.get(k, "") for k in tags]
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def write_runs_csv(store, experiment_id, filename, stream):
    store.get_experiment(experiment_id)
    text = runs_csv_text(search_all_runs(store, [experiment_id]))
    if filename:
        from runtime.fsutil import atomic_write

        atomic_write(filename, text)
    else:
        stream.write(text)
