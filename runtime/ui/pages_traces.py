"""Traces: a server-paged list per experiment, and one trace as a span tree with details on demand."""

import json

from runtime.errors import InvalidParameter, NotFound
from runtime.ui.render import render

PAGE_SIZE = 50
PREVIEW_CHARS = 200
DETAIL_CHARS = 256 * 1024


def traces_page(ui, request):
    from runtime.validation import validate_experiment_id

    experiment_id = validate_experiment_id(request.path_params["experiment_id"])
    experiment = ui.store.get_experiment(experiment_id)
    filter_text = request.query_params.get("filter", "").strip()
    problem = None
    traces, token = [], None
    try:
        page = ui.store.search_traces([experiment_id], filter_string=filter_text or None, max_results=PAGE_SIZE,
                                      page_token=request.query_params.get("page_token") or None)
        traces, token = list(page), page.token
    except InvalidParameter as error:
        problem = str(error)
    return render(ui.ctx, request, "traces.html", experiment=experiment, traces=traces, next_token=token,
                  filter_text=filter_text, problem=problem, preview_chars=PREVIEW_CHARS)


def load_trace(ui, trace_id):
    from runtime.server.routes_traces import TraceHandlers

    # Spans may live in the trace's artifact file (clients that upload them); the API route reads them the same way.
    return TraceHandlers(ui.ctx)._with_artifact_spans(ui.store.get_trace(trace_id))


def span_rows(spans):
    """[[span_id, parent index or -1, name, start offset ms, duration ms, status, type]] in start order."""
    ordered = sorted(spans, key=lambda s: (s.start_time_unix_nano or 0))
    start = ordered[0].start_time_unix_nano if ordered else 0
    index = {span.span_id: i for i, span in enumerate(ordered)}
    rows = []
    for span in ordered:
        end = span.end_time_unix_nano or span.start_time_unix_nano
        rows.append([span.span_id, index.get(span.parent_span_id, -1), span.name,
                     round((span.start_time_unix_nano - start) / 1e6, 3), round((end - span.start_time_unix_nano) / 1e6, 3),
                     span.status_code, span.span_type or ""])
    return rows


def trace_page(ui, request):
    trace = load_trace(ui, request.path_params["trace_id"])
    experiment = ui.store.get_experiment(trace.info.experiment_id)
    rows = span_rows(trace.spans)
    return render(ui.ctx, request, "trace.html", trace=trace, info=trace.info, experiment=experiment,
                  data={"spans": rows}, span_count=len(rows), preview_chars=PREVIEW_CHARS)


def capped(value):
    """(text, truncated) of a span field: JSON text shown as written, cut at DETAIL_CHARS."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False, default=str)
    try:
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        pass
    return text[:DETAIL_CHARS], len(text) > DETAIL_CHARS


def span_detail(ui, request):
    """Inputs, outputs, attributes and events of one span (?span=<id>), each capped."""
    from starlette.responses import JSONResponse

    trace = load_trace(ui, request.path_params["trace_id"])
    span_id = request.query_params.get("span", "")
    span = next((s for s in trace.spans if s.span_id == span_id), None)
    if span is None:
        raise NotFound(f"Trace {trace.info.trace_id} has no span {span_id!r}")
    fields = {"inputs": span.inputs, "outputs": span.outputs,
              "attributes": {k: v for k, v in span.attributes.items() if k not in ("mlflow.spanInputs", "mlflow.spanOutputs")},
              "events": span.events}
    body = {"name": span.name, "status": span.status_code, "status_message": span.status_message}
    for name, value in fields.items():
        text, truncated = capped(value)
        body[name] = text
        body[name + "_truncated"] = truncated
    return JSONResponse(body, headers={"cache-control": "no-store"})


def routes(page):
    return [
        page("/experiments/{experiment_id}/traces", traces_page),
        page("/traces/{trace_id}", trace_page),
        page("/ui-data/traces/{trace_id}/span", span_detail),
    ]
