"""Multi-step tracking operations behind the CLI handlers (paging, run creation from the CLI)."""

from runtime.entities import ViewType
from runtime.errors import InvalidParameter, NotFound, UsageError
from runtime.store.contract.tracking import SEARCH_MAX_RESULTS_THRESHOLD
from runtime.validation import validate_max_results

_PAGE = 1000


def _drain(fetch, limit):
    """Follow page tokens until limit items (None: all) have been collected."""
    items, token = [], None
    while True:
        want = _PAGE if limit is None else min(_PAGE, limit - len(items))
        page = fetch(want, token)
        items.extend(page)
        token = page.token
        if not token or (limit is not None and len(items) >= limit):
            return items


def search_all_experiments(store, view_type, max_results=None):
    limit = validate_max_results(max_results, SEARCH_MAX_RESULTS_THRESHOLD) if max_results is not None else None
    return _drain(lambda n, token: store.search_experiments(view_type=view_type, max_results=n, page_token=token), limit)


def search_all_runs(store, experiment_ids, view_type=ViewType.ACTIVE_ONLY, filter_string=None, order_by=None):
    return _drain(
        lambda n, token: store.search_runs(experiment_ids, filter_string, view_type, n, order_by, token), None
    )


def resolve_experiment_id(store, experiment_id=None, experiment_name=None):
    """An experiment id from an id or a name (exactly one of them)."""
    if experiment_id and experiment_name:
        raise UsageError("Give only one of an experiment id or an experiment name.")
    if experiment_name:
        experiment = store.get_experiment_by_name(experiment_name)
        if experiment is None:
            raise NotFound(f"Experiment with name '{experiment_name}' does not exist.")
        return experiment.experiment_id
    if experiment_id:
        return store.get_experiment(experiment_id).experiment_id
    raise UsageError("Give an experiment id or an experiment name.")


def create_finished_run(store, *, experiment_id, experiment_name, run_name, description, tags, status,
                        parent_run_id, user_id, now_ms):
    """Create a run, tag it ({key: value}) and close it with a terminal status in one go; returns the Run."""
    exp_id = resolve_experiment_id(store, experiment_id, experiment_name)
    run_tags = dict(tags or {})
    if description:
        run_tags["mlflow.note.content"] = description
    if parent_run_id:
        parent = store.get_run(parent_run_id)
        if parent.info.experiment_id != exp_id:
            raise InvalidParameter(
                f"Parent run {parent_run_id} belongs to experiment {parent.info.experiment_id}, not {exp_id}"
            )
        run_tags["mlflow.parentRunId"] = parent_run_id
    run_tags.setdefault("mlflow.user", user_id)
    run_tags.setdefault("mlflow.source.type", "LOCAL")
    run_tags.setdefault("mlflow.source.name", "mlf")
    run = store.create_run(exp_id, user_id=user_id, start_time=now_ms, tags=run_tags, run_name=run_name)
    store.update_run_info(run.info.run_id, status=status, end_time=now_ms)
    return store.get_run(run.info.run_id)

