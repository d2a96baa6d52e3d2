"""Permanent removal of deleted runs, experiments and logged models (`mlf gc`).

The plan is computed and checked in full before anything is removed, so a bad
id in the list leaves everything in place.
"""

import re
from dataclasses import dataclass, field

from runtime.entities import LifecycleStage
from runtime.errors import InvalidParameter, InvalidState, NotFound

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")


def parse_older_than(text):
    """'#d#h#m#s' (each part optional, floats allowed) -> milliseconds."""
    match = _DURATION.match(text.strip()) if text else None
    if not text or not match or not any(match.groups()):
        raise InvalidParameter.for_param("older_than", f"{text!r} is not of the form #d#h#m#s, for example 1d2h or 1.5h")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return int(((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000)


def _split_ids(text):
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


@dataclass
class GcPlan:
    runs: list = field(default_factory=list)  # (run_id, artifact_uri)
    experiments: list = field(default_factory=list)  # experiment ids
    logged_models: list = field(default_factory=list)  # (model_id, artifact_location)
    # Runs whose metadata goes with their experiment (hard_delete_experiment removes them).
    runs_in_experiments: set = field(default_factory=set)

    def lines(self):
        out = [f"run {run_id} ({uri})" for run_id, uri in self.runs]
        out += [f"experiment {experiment_id}" for experiment_id in self.experiments]
        out += [f"logged model {model_id} ({uri})" for model_id, uri in self.logged_models]
        return out


def _deleted_run(store, run_id, cutoff_ids):
    run = store.get_run(run_id)
    if run.info.lifecycle_stage != LifecycleStage.DELETED:
        raise InvalidState(f"Run {run_id} is not in the deleted stage; delete it first with `mlf runs delete`.")
    if cutoff_ids is not None and run_id not in cutoff_ids:
        raise InvalidState(f"Run {run_id} was deleted more recently than the age limit allows.")
    return run_id, run.info.artifact_uri


def make_plan(store, *, older_than=None, run_ids=None, experiment_ids=None, logged_model_ids=None):
    older_ms = parse_older_than(older_than) if older_than else None
    plan = GcPlan()
    runs_named, experiments_named = _split_ids(run_ids), _split_ids(experiment_ids)
    models_named = _split_ids(logged_model_ids)
    eligible_runs = set(store.get_deleted_runs(older_ms)) if older_ms is not None else None
    eligible_experiments = set(store.get_deleted_experiments(older_ms)) if older_ms is not None else None
    for run_id in runs_named:
        plan.runs.append(_deleted_run(store, run_id, eligible_runs))
    for experiment_id in experiments_named:
        experiment = store.get_experiment(experiment_id)
        if experiment.lifecycle_stage != LifecycleStage.DELETED:
            raise InvalidState(f"Experiment {experiment_id} is not in the deleted stage; delete it first.")
        if eligible_experiments is not None and experiment_id not in eligible_experiments:
            raise InvalidState(f"Experiment {experiment_id} was deleted more recently than the age limit allows.")
        plan.experiments.append(experiment_id)
    if models_named:
        if not hasattr(store, "get_logged_model"):
            raise InvalidParameter("This tracking store does not hold logged models.")
        for model_id in models_named:
            model = store.get_logged_model(model_id, allow_deleted=True)
            if getattr(model, "lifecycle_stage", LifecycleStage.DELETED) != LifecycleStage.DELETED:
                raise InvalidState(f"Logged model {model_id} is not in the deleted stage.")
            plan.logged_models.append((model_id, model.artifact_location))
    if not (runs_named or experiments_named or models_named):
        plan.runs = [(rid, store.get_run(rid).info.artifact_uri) for rid in store.get_deleted_runs(older_ms)]
        plan.experiments = list(store.get_deleted_experiments(older_ms))
    # Runs inside planned experiments go with them: list their artifacts too.
    planned = {run_id for run_id, _ in plan.runs}
    for experiment_id in plan.experiments:
        for run_id, uri in _runs_of_experiment(store, experiment_id):
            plan.runs_in_experiments.add(run_id)
            if run_id not in planned:
                plan.runs.append((run_id, uri))
                planned.add(run_id)
    return plan


def _runs_of_experiment(store, experiment_id):
    from runtime.entities import ViewType
    from runtime.tracking_ops import search_all_runs

    return [(r.info.run_id, r.info.artifact_uri) for r in search_all_runs(store, [experiment_id], ViewType.ALL)]


def _delete_artifacts(uri, artifacts_destination, tracking_uri):
    """Remove an artifact folder; a folder that is already gone is fine."""
    from runtime.artifacts.ops import repository_for_uri

    if artifacts_destination and uri.startswith("mlflow-artifacts:"):
        from runtime.artifacts.repository import get_artifact_repository

        path = uri[len("mlflow-artifacts:"):].lstrip("/")
        repository = get_artifact_repository(artifacts_destination)
        repository.delete_artifacts(path)
        return
    repository = repository_for_uri(uri, tracking_uri)
    try:
        repository.delete_artifacts("")
    except NotFound:
        pass


def execute(store, plan, *, artifacts_destination=None, tracking_uri=None, report=print):
    for run_id, uri in plan.runs:
        if uri:
            _delete_artifacts(uri, artifacts_destination, tracking_uri)
        if run_id not in plan.runs_in_experiments:
            store.hard_delete_run(run_id)
        report(f"Removed run {run_id}")
    for experiment_id in plan.experiments:
        store.hard_delete_experiment(experiment_id)
        report(f"Removed experiment {experiment_id}")
    for model_id, uri in plan.logged_models:
        if uri:
            _delete_artifacts(uri, artifacts_destination, tracking_uri)
        store.hard_delete_logged_model(model_id)
        report(f"Removed logged model {model_id}")

