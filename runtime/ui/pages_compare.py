"""Compare runs from any experiments: values side by side, overlaid charts, scatter, parallel coordinates."""

import json

from runtime.errors import InvalidParameter
from runtime.ui import metric_series
from runtime.ui.render import render
from runtime.ui.runs_view import json_number

# One colour per run, the same in every chart and table of the page.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")
COMPARE_POINTS = 1000


def requested_run_ids(request):
    """?runs=a,b,c, or MLflow's ?runs=["a","b"] (from a hash URL)."""
    from runtime.validation import validate_run_id

    text = request.query_params.get("runs", "")
    if text.strip().startswith("["):
        try:
            ids = [str(i) for i in json.loads(text)]
        except ValueError:
            raise InvalidParameter(f"Invalid runs list {text!r}") from None
    else:
        ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise InvalidParameter("Pick at least one run to compare (?runs=<id>,<id>)")
    unique = []
    for run_id in ids:
        if run_id not in unique:
            unique.append(validate_run_id(run_id))
    return unique


def comparison_rows(runs, attribute, only_differences):
    """[(key, [value per run], same)] for params, metrics (last value) or tags."""
    keys = sorted({key for run in runs for key in getattr(run, attribute)})
    rows = []
    for key in keys:
        values = []
        for run in runs:
            value = getattr(run, attribute).get(key)
            values.append(value.value if attribute == "metrics" and value is not None else value)
        same = len({repr(v) for v in values}) == 1
        if not (only_differences and same):
            rows.append((key, values, same))
    return rows


def numeric(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def compare_page(ui, request):
    run_ids = requested_run_ids(request)
    runs = [ui.store.get_run(run_id) for run_id in run_ids]
    only_differences = request.query_params.get("diff") == "1"
    experiments = {run.info.experiment_id: ui.store.get_experiment(run.info.experiment_id).name for run in runs}
    sections = [(title, comparison_rows(runs, attribute, only_differences))
                for title, attribute in (("Parameters", "params"), ("Metrics", "metrics"), ("Tags", "tags"))]
    numeric_values = {}
    for prefix, attribute in (("metrics", "metrics"), ("params", "params")):
        for key in sorted({key for run in runs for key in getattr(run, attribute)}):
            column = []
            for run in runs:
                value = getattr(run, attribute).get(key)
                column.append(numeric(value.value if prefix == "metrics" and value is not None else value))
            if any(v is not None for v in column):
                numeric_values[f"{prefix}.{key}"] = [json_number(v) for v in column]
    data = {
        "runs": [{"id": run.info.run_id, "name": run.info.run_name or run.info.run_id,
                  "color": PALETTE[i % len(PALETTE)]} for i, run in enumerate(runs)],
        "values": numeric_values,
        "metricKeys": sorted({key for run in runs for key in run.metrics}),
    }
    return render(ui.ctx, request, "compare.html", runs=runs, colors=[r["color"] for r in data["runs"]],
                  experiments=experiments, sections=sections, only_differences=only_differences, data=data,
                  run_list=",".join(run_ids))


def compare_metric(ui, request):
    """One metric of many runs, each down-sampled, for the overlaid chart: ?key=&runs=a,b."""
    from starlette.responses import JSONResponse

    key = request.query_params.get("key") or ""
    series = []
    for run_id in requested_run_ids(request):
        run = ui.store.get_run(run_id)
        if key not in run.metrics:
            series.append(None)
            continue
        data = metric_series.series(ui.store.get_metric_history(run_id, key), COMPARE_POINTS)
        series.append({"step": data["step"], "time": data["time"], "value": data["value"], "total": data["total"]})
    return JSONResponse({"key": key, "series": series}, headers={"cache-control": "no-store"})


def routes(page):
    return [page("/compare", compare_page), page("/ui-data/compare/metric", compare_metric)]
