"""Handlers of `mlf traces ...` (also the tools of `mlf mcp run`: each returns its JSON form too)."""

from runtime.cli.output import Message
from runtime.tracing import service


def search(*, experiment_id, filter_string, max_results, order_by, page_token, run_id, include_spans, model_id,
           sql_warehouse_id, output, extract_fields, verbose, ctx):
    from runtime.cli.output import render_table
    from runtime.tracing.extract import split_fields

    service.check_no_warehouse(sql_warehouse_id)
    traces, token = service.search(ctx.tracking_store(), experiment_id, filter_string, max_results, order_by,
                                   page_token, run_id, include_spans, model_id)
    dicts = [t.to_dict() for t in traces]
    if output == "json":
        return {"traces": service.select_fields(dicts, extract_fields, verbose), "next_page_token": token}
    fields = split_fields(extract_fields) if extract_fields else list(service.DEFAULT_TABLE_FIELDS)
    if extract_fields and dicts:
        service.select_fields(dicts[:1], extract_fields, verbose)  # validates the paths
    text = render_table(fields, service.table_rows(dicts, fields))
    return text + (f"\n\nNext page token: {token}" if token else "")


def get(*, trace_id, extract_fields, verbose, ctx):
    trace = ctx.tracking_store().get_trace(trace_id)
    return service.select_fields([trace.to_dict()], extract_fields, verbose)[0]


def delete(*, experiment_id, trace_ids, max_timestamp_millis, max_traces, ctx):
    count = ctx.tracking_store().delete_traces(experiment_id, max_timestamp_millis=max_timestamp_millis,
                                               max_traces=max_traces, trace_ids=service.split_ids(trace_ids) or None)
    return f"Deleted {count} trace(s) from experiment {experiment_id}."


def set_tag(*, trace_id, key, value, ctx):
    ctx.tracking_store().set_trace_tag(trace_id, key, value)
    return Message(f"Set tag '{key}' on trace {trace_id}.", {"trace_id": trace_id, "key": key, "value": value})


def delete_tag(*, trace_id, key, ctx):
    ctx.tracking_store().delete_trace_tag(trace_id, key)
    return Message(f"Deleted tag '{key}' from trace {trace_id}.", {"trace_id": trace_id, "deleted": key})


def log_feedback(*, trace_id, name, value, source_type, source_id, rationale, metadata, span_id, ctx):
    assessment = service.log_feedback(ctx.tracking_store(), trace_id, name, value, source_type, source_id, rationale,
                                      metadata, span_id)
    return Message(f"Logged feedback '{name}' to trace {trace_id}. Assessment ID: {assessment.assessment_id}",
                   assessment.to_dict())


def log_expectation(*, trace_id, name, value, source_type, source_id, metadata, span_id, ctx):
    assessment = service.log_expectation(ctx.tracking_store(), trace_id, name, value, source_type, source_id,
                                         metadata, span_id)
    return Message(f"Logged expectation '{name}' to trace {trace_id}. Assessment ID: {assessment.assessment_id}",
                   assessment.to_dict())


def get_assessment(*, trace_id, assessment_id, ctx):
    return ctx.tracking_store().get_assessment(trace_id, assessment_id).to_dict()


def update_assessment(*, trace_id, assessment_id, value, rationale, metadata, ctx):
    updated = service.update_assessment(ctx.tracking_store(), trace_id, assessment_id, value, rationale, metadata)
    return Message(f"Updated assessment {assessment_id} in trace {trace_id}.", updated.to_dict())


def delete_assessment(*, trace_id, assessment_id, ctx):
    store = ctx.tracking_store()
    store.get_assessment(trace_id, assessment_id)  # the store's delete is idempotent; a user's typo must not "succeed"
    store.delete_assessment(trace_id, assessment_id)
    return Message(f"Deleted assessment {assessment_id} from trace {trace_id}.",
                   {"trace_id": trace_id, "deleted": assessment_id})


def evaluate(*, experiment_id, trace_ids, scorers, output, ctx):
    from runtime.cli.output import Table
    from runtime.tracing.evaluate import evaluate_traces, results_json, results_rows
    from runtime.tracing.scorers import split_scorer_specs

    results = evaluate_traces(ctx.tracking_store(), experiment_id, service.split_ids(trace_ids),
                              split_scorer_specs(scorers), environ=ctx.environ, progress=ctx.stderr)
    data = results_json(results)
    if output == "json":
        return data
    columns, rows = results_rows(results)
    return Table(columns, rows, records=data if len(results) != 1 else [data])
