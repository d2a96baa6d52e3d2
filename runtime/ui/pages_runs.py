"""The runs table of one or more experiments, its CSV download and its column-key lookup."""

import csv
import io

from runtime.ui import runs_view
from runtime.ui.render import render

PLAIN_ROWS = 100  # rows rendered as HTML for browsers without JS (the script shows them all)
KEYS_LIMIT = 300


def experiments_of(ui, ids):
    return [ui.store.get_experiment(experiment_id) for experiment_id in ids]


def resolved(ui, request):
    """(view, experiments, runs, next token, columns, rows) of the requested runs table."""
    view = runs_view.parse_view(request, request.path_params["ids"])
    experiments = experiments_of(ui, view.experiment_ids)
    runs, token = runs_view.load_runs(ui.store, view)
    columns = view.columns if view.columns is not None else runs_view.default_columns(runs)
    rows = runs_view.table_rows(runs, columns)
    return view, experiments, runs, token, columns, rows


def runs_table(ui, request):
    view, experiments, runs, token, columns, rows = resolved(ui, request)
    plain = runs_view.sort_rows(rows, columns, view.sort, view.descending)[:PLAIN_ROWS]
    data = {
        "columns": [{"id": c, "label": runs_view.column_label(c), "kind": runs_view.column_kind(c)} for c in columns],
        "rows": rows,
        "experiments": {e.experiment_id: e.name for e in experiments},
        "sort": view.sort, "descending": view.descending,
    }
    return render(ui.ctx, request, "runs.html", view=view, experiments=experiments, columns=columns, data=data,
                  plain=plain, total=len(rows), next_token=token, max_runs=runs_view.MAX_RUNS,
                  fixed=runs_view.FIXED_FIELDS, label=runs_view.column_label, kind=runs_view.column_kind,
                  attributes=runs_view.ATTRIBUTES)


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def runs_csv(ui, request):
    from starlette.responses import Response

    view, experiments, runs, token, columns, rows = resolved(ui, request)
    rows = runs_view.sort_rows(rows, columns, view.sort, view.descending)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["run_id", "name", "experiment_id", "parent_run_id", "lifecycle_stage", *columns])
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    name = "runs-" + "-".join(view.experiment_ids) + ".csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


def column_keys(ui, request):
    """Metric, param and tag keys of the runs in the view that contain ?q= (capped), for the column picker."""
    from starlette.responses import JSONResponse

    view = runs_view.parse_view(request, request.path_params["ids"])
    runs, _ = runs_view.load_runs(ui.store, view, runs_view.EVERY_KEY)
    needle = request.query_params.get("q", "").lower()
    found = {}
    for entity, attribute in (("metrics", "metrics"), ("params", "params"), ("tags", "tags")):
        keys = sorted({key for run in runs for key in getattr(run, attribute) if needle in key.lower()})
        found[entity] = {"keys": keys[:KEYS_LIMIT], "total": len(keys)}
    return JSONResponse(found, headers={"cache-control": "no-store"})


def routes(page):
    return [
        page("/experiments/{ids}", runs_table),
        page("/experiments/{ids}/runs.csv", runs_csv),
        page("/ui-data/experiments/{ids}/keys", column_keys),
    ]
