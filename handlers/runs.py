"""Handlers of `mlf runs ...`."""

from runtime.cli.output import Record, Table
from runtime.entities import ViewType
from runtime.formatting import format_millis


def create(*, experiment_id, experiment_name, run_name, description, tags, status, parent_run_id, ctx):
    import getpass
    import time

    from runtime.tracking_ops import create_finished_run

    run = create_finished_run(
        ctx.tracking_store(), experiment_id=experiment_id, experiment_name=experiment_name, run_name=run_name,
        description=description, tags=dict(tags), status=status, parent_run_id=parent_run_id,
        user_id=getpass.getuser(), now_ms=int(time.time() * 1000),
    )
    return (f"Created run '{run.info.run_name}' with id {run.info.run_id} "
            f"in experiment {run.info.experiment_id} (status {run.info.status})")


def delete(*, run_id, ctx):
    ctx.tracking_store().delete_run(run_id)
    return f"Run with id {run_id} has been deleted."


def describe(*, run_id, output, ctx):
    run = ctx.tracking_store().get_run(run_id)
    info = run.info
    fields = [
        ("Run Id", info.run_id), ("Name", info.run_name), ("Experiment Id", info.experiment_id),
        ("Status", info.status), ("Lifecycle Stage", info.lifecycle_stage), ("User", info.user_id),
        ("Start Time", format_millis(info.start_time)), ("End Time", format_millis(info.end_time)),
        ("Artifact URI", info.artifact_uri),
    ]
    fields += [(f"param {k}", v) for k, v in sorted(run.params.items())]
    fields += [(f"metric {k}", m.value) for k, m in sorted(run.metrics.items())]
    fields += [(f"tag {k}", v) for k, v in sorted(run.tags.items())]
    return Record(fields, _run_dictionary(run))


def _run_dictionary(run):
    """The run as `mlflow runs describe` prints it: info fields sorted, data.* as objects, inputs, outputs."""
    info = run.info
    dataset_inputs = [{"dataset": {"name": d.dataset.name, "digest": d.dataset.digest,
                                   "source_type": d.dataset.source_type, "source": d.dataset.source,
                                   "schema": d.dataset.schema, "profile": d.dataset.profile},
                       "tags": dict(d.tags)} for d in run.dataset_inputs]
    return {
        "info": {"artifact_uri": info.artifact_uri, "end_time": info.end_time, "experiment_id": info.experiment_id,
                 "lifecycle_stage": info.lifecycle_stage, "run_id": info.run_id, "run_name": info.run_name,
                 "start_time": info.start_time, "status": info.status, "user_id": info.user_id},
        "data": {"metrics": {k: m.value for k, m in run.metrics.items()}, "params": dict(run.params),
                 "tags": dict(run.tags)},
        "inputs": {"model_inputs": [{"model_id": m["model_id"]} for m in run.model_inputs],
                   "dataset_inputs": dataset_inputs},
        "outputs": {"model_outputs": [{"model_id": m["model_id"], "step": m.get("step", 0)}
                                      for m in run.model_outputs]},
    }


def list_(*, experiment_id, view, output, ctx):
    store = ctx.tracking_store()
    store.get_experiment(experiment_id)  # a clear error for a missing experiment
    infos = store.list_run_infos(experiment_id, ViewType.from_string(view))
    rows = [(format_millis(info.start_time), info.run_name, info.run_id, info.status) for info in infos]
    return Table(["Date", "Name", "Run Id", "Status"], rows, records=[info.to_dict() for info in infos])


def restore(*, run_id, ctx):
    ctx.tracking_store().restore_run(run_id)
    return f"Run with id {run_id} has been restored."
