"""Handlers of `mlf experiments ...`."""

from runtime.cli.output import Record, Table
from runtime.entities import ViewType
from runtime.errors import NotFound
from runtime.formatting import format_millis


def create(*, experiment_name, artifact_location, ctx):
    experiment_id = ctx.tracking_store().create_experiment(experiment_name, artifact_location)
    return f"Created experiment '{experiment_name}' with id {experiment_id}"


def csv(*, experiment_id, filename, ctx):
    from runtime.export import write_runs_csv

    write_runs_csv(ctx.tracking_store(), experiment_id, filename, ctx.stdout)
    return f"Wrote runs of experiment {experiment_id} to {filename}" if filename else None


def delete(*, experiment_id, ctx):
    ctx.tracking_store().delete_experiment(experiment_id)
    return f"Experiment with id {experiment_id} has been deleted."


def get(*, experiment_id, experiment_name, output, ctx):
    store = ctx.tracking_store()
    if experiment_id:
        experiment = store.get_experiment(experiment_id)
    else:
        experiment = store.get_experiment_by_name(experiment_name)
        if experiment is None:
            raise NotFound(f"Experiment with name '{experiment_name}' does not exist.")
    fields = [
        ("Experiment Id", experiment.experiment_id),
        ("Name", experiment.name),
        ("Artifact Location", experiment.artifact_location),
        ("Lifecycle Stage", experiment.lifecycle_stage),
        ("Creation Time", format_millis(experiment.creation_time)),
        ("Last Update Time", format_millis(experiment.last_update_time)),
        ("Tags", ", ".join(f"{k}={v}" for k, v in sorted(experiment.tags.items()))),
    ]
    return Record(fields, experiment.to_dict())


def rename(*, experiment_id, new_name, ctx):
    ctx.tracking_store().rename_experiment(experiment_id, new_name)
    return f"Experiment with id {experiment_id} has been renamed to '{new_name}'."


def restore(*, experiment_id, ctx):
    ctx.tracking_store().restore_experiment(experiment_id)
    return f"Experiment with id {experiment_id} has been restored."


def search(*, view, max_results, output, ctx):
    from runtime.tracking_ops import search_all_experiments

    experiments = search_all_experiments(ctx.tracking_store(), ViewType.from_string(view), max_results)
    rows = [(e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage) for e in experiments]
    return Table(["Experiment Id", "Name", "Artifact Location", "Lifecycle Stage"], rows,
                 records=[e.to_dict() for e in experiments])
