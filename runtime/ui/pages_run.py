"""The run page (overview, params, metrics, tags, charts), its artifacts tab and the data they fetch."""

import posixpath

from runtime.errors import InvalidParameter
from runtime.ui import artifact_preview, metric_series
from runtime.ui.markdown import render_markdown
from runtime.ui.render import render
from runtime.ui.runs_view import PARENT_TAG

NOTE_TAG = "mlflow.note.content"
CHILDREN_SHOWN = 100
OVERVIEW_TAGS = {
    "source": "mlflow.source.name", "source_type": "mlflow.source.type", "git_commit": "mlflow.source.git.commit",
    "git_repo": "mlflow.source.git.repoURL", "user": "mlflow.user",
}


def run_of(ui, request):
    from runtime.validation import validate_run_id

    return ui.store.get_run(validate_run_id(request.path_params["run_id"]))


def children_of(ui, run):
    from runtime.ui.queries import quoted

    page = ui.store.search_runs([run.info.experiment_id], filter_string=f"tags.`{PARENT_TAG}` = {quoted(run.info.run_id)}",
                                max_results=CHILDREN_SHOWN)
    return list(page)


def run_page(ui, request):
    run = run_of(ui, request)
    experiment = ui.store.get_experiment(run.info.experiment_id)
    parent_id = run.tags.get(PARENT_TAG)
    parent = None
    if parent_id:
        try:
            parent = ui.store.get_run(parent_id)
        except Exception:  # noqa: BLE001 - a dangling parent tag still shows the id
            parent = None
    metrics = sorted(run.metrics.values(), key=lambda m: m.key)
    return render(ui.ctx, request, "run.html", run=run, experiment=experiment, parent=parent, parent_id=parent_id,
                  children=children_of(ui, run), metrics=metrics, overview=OVERVIEW_TAGS,
                  description=render_markdown(run.tags.get(NOTE_TAG, "")), tab="overview")


def number_param(request, name, default=None, cast=float):
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    try:
        return cast(text)
    except ValueError:
        raise InvalidParameter(f"Invalid {name} {text!r}: expected a number") from None


def metric_data(ui, request):
    """One metric's history for a chart: ?key=&points=&axis=step|time&lo=&hi= (a zoomed range)."""
    from starlette.responses import JSONResponse

    run = run_of(ui, request)
    key = request.query_params.get("key") or ""
    if key not in run.metrics:
        raise InvalidParameter(f"Run {run.info.run_id} has no metric {key!r}")
    points = min(metric_series.MAX_POINTS, max(10, number_param(request, "points", metric_series.DEFAULT_POINTS, int)))
    axis = request.query_params.get("axis", "step")
    if axis not in ("step", "time"):
        raise InvalidParameter(f"Invalid axis {axis!r}: use step or time")
    history = ui.store.get_metric_history(run.info.run_id, key)
    data = metric_series.series(history, points, axis, number_param(request, "lo"), number_param(request, "hi"))
    data["key"] = key
    data["min"], data["max"], data["count"] = metric_series.summary(history)
    return JSONResponse(data, headers={"cache-control": "no-store"})


def artifact_location(ui, run):
    return ui.artifact_repository(run.info.artifact_uri)


def artifact_tree(repository, path):
    """({folder: entries} for the root and every folder down to path, the FileInfo at path or None)."""
    parts = [p for p in path.split("/") if p]
    tree, entry, folder = {}, None, ""
    for depth in range(len(parts) + 1):
        tree[folder] = repository.list_artifacts(folder or None)
        if depth == len(parts):
            break
        child = "/".join(parts[:depth + 1])
        entry = next((e for e in tree[folder] if e.path == child), None)
        if entry is None or not entry.is_dir:
            break
        folder = child
    return tree, entry


def artifacts_page(ui, request):
    from runtime.validation import validate_artifact_path

    run = run_of(ui, request)
    experiment = ui.store.get_experiment(run.info.experiment_id)
    path = request.query_params.get("path", "").strip("/")
    if path:
        path = validate_artifact_path(path)
    repository = artifact_location(ui, run)
    tree, entry = artifact_tree(repository, path)
    selected = None
    if entry is not None and not entry.is_dir and entry.path == path:
        selected = {"path": path, "name": posixpath.basename(path), "size": entry.file_size}
        selected.update(artifact_preview.preview(repository, path))
    return render(ui.ctx, request, "artifacts.html", run=run, experiment=experiment, tree=tree, expanded=set(tree),
                  path=path, selected=selected, tab="artifacts", basename=posixpath.basename)


def artifact_raw(ui, request):
    from runtime.validation import validate_artifact_path

    run = run_of(ui, request)
    path = validate_artifact_path(request.query_params.get("path", ""))
    if not path:
        raise InvalidParameter("Missing artifact path")
    download = request.query_params.get("download") == "1"
    return artifact_preview.raw_response(artifact_location(ui, run), path, download)


def routes(page):
    return [
        page("/runs/{run_id}", run_page),
        page("/runs/{run_id}/artifacts", artifacts_page),
        page("/ui-data/runs/{run_id}/metric", metric_data),
        page("/ui-data/runs/{run_id}/artifact", artifact_raw),
    ]
