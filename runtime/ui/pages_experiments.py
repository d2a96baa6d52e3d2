"""The experiments list (also the UI's home page, which maps MLflow's hash URLs)."""

import json
import os

from runtime.ui.queries import name_contains_filter, run_count, split_ids, view_type
from runtime.ui.render import render

PAGE_SIZE = 100
HASH_ROUTES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hash_routes.json")


def hash_routes():
    """[[regex, target], ...]: MLflow's #/... URLs and the page each lands on ($1.. are groups)."""
    with open(HASH_ROUTES_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def home(ui, request):
    return experiments(ui, request, home=True)


def experiments(ui, request, home=False):
    lifecycle, view = view_type(request)
    name = request.query_params.get("q", "")
    page = ui.store.search_experiments(view_type=view, max_results=PAGE_SIZE,
                                       filter_string=name_contains_filter(name),
                                       order_by=["last_update_time DESC"],
                                       page_token=request.query_params.get("page_token") or None)
    rows = [{"experiment": experiment, "runs": run_count(ui.store, experiment.experiment_id)}
            for experiment in page]
    return render(ui.ctx, request, "experiments.html", rows=rows, name=name, lifecycle=lifecycle,
                  next_token=page.token, hash_routes=hash_routes() if home else None)


def compare_experiments(ui, request):
    """Several experiments in one runs table: ?e=1&e=2 (the list form) or ?mlflow=["1","2"] (hash URL)."""
    from starlette.responses import RedirectResponse

    ids = request.query_params.getlist("e")
    mlflow_list = request.query_params.get("mlflow")
    if mlflow_list:
        try:
            ids = [str(i) for i in json.loads(mlflow_list)]
        except (ValueError, TypeError):
            ids = mlflow_list.strip("[]").replace('"', "").split(",")
    checked = split_ids(",".join(ids))
    return RedirectResponse(ui.config.static_prefix + "/experiments/" + ",".join(checked), status_code=303)
