"""The runs table's view: which runs (filter, order, lifecycle, page), which columns, in which order.

The view lives in the page URL (filter, order, lifecycle, cols, sort, dir), so a view is a link.
`order` is the server's order_by and decides which runs fill a page; `sort`/`dir` re-sort the
loaded rows (the browser does it instantly; the server does the same for CSV and the plain table).
"""

import math
from dataclasses import dataclass, field

from runtime.errors import InvalidParameter
from runtime.ui.queries import split_ids, view_type

MAX_RUNS = 5000
DEFAULT_METRIC_COLUMNS = 10
PARENT_TAG = "mlflow.parentRunId"
SOURCE_TAG = "mlflow.source.name"
# Attribute columns: id -> (label, numeric).
ATTRIBUTES = {
    "attributes.start_time": ("Created", True),
    "attributes.duration": ("Duration", True),
    "attributes.end_time": ("Ended", True),
    "attributes.status": ("Status", False),
    "attributes.user_id": ("User", False),
    "attributes.source": ("Source", False),
    "attributes.run_id": ("Run ID", False),
}
DEFAULT_ATTRIBUTES = ("attributes.start_time", "attributes.duration", "attributes.status", "attributes.user_id")
ENTITIES = {"metrics": "metric", "params": "param", "tags": "tag"}


@dataclass
class ParseProblem:
    """A filter or order_by that did not parse: the message and the 0-based position it points at."""

    field: str
    text: str
    message: str
    position: int = None


@dataclass
class RunsView:
    experiment_ids: list
    filter: str = ""
    order: str = ""
    lifecycle: str = "active"
    view: int = 1
    columns: list = None  # column ids; None until resolved against the runs
    sort: str = ""
    descending: bool = False
    page_token: str = None
    problems: list = field(default_factory=list)

    def query(self, **changes):
        """The URL query of this view (with changes), for links."""
        values = {"filter": self.filter, "order": self.order,
                  "lifecycle": None if self.lifecycle == "active" else self.lifecycle,
                  "cols": ",".join(self.columns) if self.columns is not None else None,
                  "sort": self.sort or None, "dir": ("desc" if self.descending else "asc") if self.sort else None}
        values.update(changes)
        return values


def problem_position(label, text, message):
    """Where our search parser's message says the problem is (0-based), or None."""
    head = f"Error in {label} {text!r} at position "
    if not message.startswith(head):
        return None
    digits = message[len(head):].split(":", 1)[0]
    return int(digits) - 1 if digits.isdigit() else None


def parse_view(request, ids_text):
    from runtime.search.filter import parse_run_filter, parse_run_order_by

    params = request.query_params
    lifecycle, view = view_type(request)
    cols = params.get("cols")
    result = RunsView(
        experiment_ids=split_ids(ids_text), filter=params.get("filter", "").strip(), order=params.get("order", "").strip(),
        lifecycle=lifecycle, view=view, columns=[c for c in cols.split(",") if c] if cols is not None else None,
        sort=params.get("sort", ""), descending=params.get("dir") == "desc", page_token=params.get("page_token") or None,
    )
    for name, label, parse in (("filter", "filter", parse_run_filter), ("order", "order_by clause", parse_run_order_by)):
        text = getattr(result, name)
        if not text:
            continue
        try:
            parse(text)
        except InvalidParameter as error:
            message = str(error)
            result.problems.append(ParseProblem(name, text, message, problem_position(label, text, message)))
    if result.columns is not None:
        for column in result.columns:
            check_column(column)
    return result


def check_column(column):
    if column in ATTRIBUTES:
        return
    entity, _, key = column.partition(".")
    if entity not in ENTITIES or not key:
        raise InvalidParameter(f"Invalid column {column!r}: use attributes.<name>, metrics.<key>, params.<key> or tags.<key>")


def keys_to_read(columns):
    """{metric_keys, param_keys, tag_keys} the table of these columns shows (None: every metric key,
    for default columns), plus the tags every row needs (its parent)."""
    if columns is None:
        return {"metric_keys": None, "param_keys": [], "tag_keys": [PARENT_TAG]}
    wanted = {"metrics": [], "params": [], "tags": [PARENT_TAG]}
    for column in columns:
        if column == "attributes.source":
            wanted["tags"].append(SOURCE_TAG)
            continue
        entity, _, key = column.partition(".")
        if entity in wanted:
            wanted[entity].append(key)
    return {"metric_keys": wanted["metrics"], "param_keys": wanted["params"], "tag_keys": wanted["tags"]}


EVERY_KEY = {"metric_keys": None, "param_keys": None, "tag_keys": None}


def load_runs(store, view, keys=None):
    """(runs, next page token) for the view, each run holding only `keys` (by default what the view's
    columns show); nothing when its filter or order does not parse."""
    if view.problems:
        return [], None
    page = store.search_run_columns(view.experiment_ids, filter_string=view.filter or None, run_view_type=view.view,
                                    max_results=MAX_RUNS, order_by=[view.order] if view.order else None,
                                    page_token=view.page_token, **(keys or keys_to_read(view.columns)))
    return list(page), page.token


def default_columns(runs):
    metric_keys = sorted({key for run in runs for key in run.metrics})[:DEFAULT_METRIC_COLUMNS]
    return list(DEFAULT_ATTRIBUTES) + [f"metrics.{key}" for key in metric_keys]


def column_label(column):
    if column in ATTRIBUTES:
        return ATTRIBUTES[column][0]
    return column.partition(".")[2]


def column_kind(column):
    if column in ATTRIBUTES:
        return "number" if ATTRIBUTES[column][1] else "text"
    return "number" if column.startswith("metrics.") else "text"


def json_number(value):
    """Numbers as JSON allows them (NaN and infinities become strings)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return value


def cell(run, column):
    info = run.info
    if column in ATTRIBUTES:
        name = column.partition(".")[2]
        if name == "duration":
            return info.end_time - info.start_time if info.end_time and info.start_time else None
        if name == "source":
            return run.tags.get(SOURCE_TAG)
        return getattr(info, name)
    entity, _, key = column.partition(".")
    if entity == "metrics":
        metric = run.metrics.get(key)
        return None if metric is None else json_number(metric.value)
    return (run.params if entity == "params" else run.tags).get(key)


def table_rows(runs, columns):
    """[[run_id, name, experiment_id, parent_id, lifecycle, *cells]] in run order."""
    return [[run.info.run_id, run.info.run_name, run.info.experiment_id, run.tags.get(PARENT_TAG),
             run.info.lifecycle_stage, *(cell(run, column) for column in columns)] for run in runs]


FIXED_FIELDS = 5  # run_id, name, experiment_id, parent_id, lifecycle


def sort_rows(rows, columns, sort, descending):
    """Rows sorted on one column as the browser sorts them: missing values last, numbers numerically."""
    if sort == "name":
        index, numeric = 1, False
    elif sort in columns:
        index, numeric = FIXED_FIELDS + columns.index(sort), column_kind(sort) == "number"
    else:
        return rows

    def key(row):
        value = row[index]
        if value is None or value == "":
            return (1, 0)
        if numeric:
            try:
                number = float(value)
            except (TypeError, ValueError):
                return (1, 0)
            if number != number:
                return (1, 0)
            return (0, -number if descending else number)
        text = str(value).lower()
        return (0, text)

    present = [row for row in rows if key(row)[0] == 0]
    missing = [row for row in rows if key(row)[0] == 1]
    present.sort(key=key, reverse=descending and not numeric)
    return present + missing
