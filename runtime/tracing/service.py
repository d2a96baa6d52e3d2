"""Trace operations as the CLI and the MCP server offer them: one place for both.

Functions take a trace store and plain values (text from a command line or a
tool call) and return JSON-ready data or entities.
"""

import json
from datetime import datetime, timezone

from runtime.errors import InvalidParameter, UsageError
from runtime.tracing.entities import EXPECTATION, FEEDBACK, Assessment, AssessmentSource, SourceType

# The columns `traces search` shows by default (MLflow's, with the duration field that exists).
DEFAULT_TABLE_FIELDS = ("info.trace_id", "info.request_time", "info.state", "info.execution_duration_ms",
                        "info.request_preview", "info.response_preview")
PREVIEW_CELL_LENGTH = 20
LLM_JUDGE_DEFAULT_SOURCE = "default"


def parse_value(text):
    """A command-line value: JSON when it parses (0.9, true, {"a": 1}), else the text itself."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def parse_metadata(text):
    """Assessment metadata: a JSON object (text or dict) whose values become strings (metadata is string-valued)."""
    from runtime.json_object import parse_json_object

    if isinstance(text, dict):
        data = text
    else:
        try:
            data = parse_json_object(text)
        except ValueError as exc:
            raise UsageError.for_param("metadata", f"must be a JSON object: {exc}") from None
    if data is None:
        return None
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


def split_ids(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _source(source_type, source_id, default_type):
    """The assessment source; like mlflow, a custom source needs both its type and its id."""
    if source_type and source_id:
        return AssessmentSource(SourceType.validate(source_type), source_id)
    return AssessmentSource(default_type, "default")


def log_feedback(store, trace_id, name, value=None, source_type=None, source_id=None, rationale=None,
                 metadata=None, span_id=None):
    assessment = Assessment(name=name, kind=FEEDBACK, value=parse_value(value) if isinstance(value, str) else value,
                            trace_id=trace_id, source=_source(source_type, source_id, SourceType.CODE),
                            rationale=rationale, metadata=parse_metadata(metadata), span_id=span_id or None)
    return store.create_assessment(assessment)


def log_expectation(store, trace_id, name, value, source_type=None, source_id=None, metadata=None, span_id=None):
    assessment = Assessment(name=name, kind=EXPECTATION,
                            value=parse_value(value) if isinstance(value, str) else value, trace_id=trace_id,
                            source=_source(source_type, source_id, SourceType.HUMAN),
                            metadata=parse_metadata(metadata), span_id=span_id or None)
    return store.create_assessment(assessment)


def update_assessment(store, trace_id, assessment_id, value=None, rationale=None, metadata=None):
    from runtime.store.contract.traces import UNSET

    if value is None and rationale is None and metadata is None:
        raise UsageError("Nothing to update: give a value, a rationale or metadata.")
    return store.update_assessment(trace_id, assessment_id, value=UNSET if value is None else parse_value(value),
                                   rationale=rationale, metadata=parse_metadata(metadata))


def search(store, experiment_id, filter_string=None, max_results=100, order_by=None, page_token=None, run_id=None,
           include_spans=True, model_id=None):
    """(list of Trace, next page token)."""
    from runtime.tracing.entities import Trace

    if run_id:
        clause = f"run_id = '{run_id}'"
        filter_string = f"{filter_string} AND {clause}" if filter_string else clause
    order = [part.strip() for part in order_by.split(",") if part.strip()] if isinstance(order_by, str) else order_by
    infos = store.search_traces([str(experiment_id)], filter_string=filter_string, max_results=max_results,
                                order_by=order or None, page_token=page_token, model_id=model_id)
    if include_spans:
        traces = store.batch_get_traces([i.trace_id for i in infos]) if infos else []
        by_id = {t.info.trace_id: t for t in traces}
        traces = [by_id.get(i.trace_id, Trace(i, [])) for i in infos]
    else:
        traces = [Trace(i, []) for i in infos]
    return traces, infos.token


def select_fields(trace_dicts, extract_fields, verbose=False):
    """Trace dicts cut down to the --extract-fields paths (validated against the first trace)."""
    from runtime.tracing.extract import filter_fields, split_fields, validate_fields

    if not extract_fields:
        return trace_dicts
    fields = split_fields(extract_fields)
    if trace_dicts:
        validate_fields(fields, trace_dicts[0], verbose)
    return [filter_fields(t, fields) for t in trace_dicts]


def _cell(field, values):
    """How `traces search` shows a field in a table cell (mlflow's formatting)."""
    if not values:
        return "N/A"
    if len(values) == 1:
        value = values[0]
    else:
        value = ", ".join(str(v) for v in values[:3]) + (f", ... (+{len(values) - 3} more)" if len(values) > 3 else "")
    if field == "info.request_time" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
            value = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
        except ValueError:
            pass
    elif field == "info.execution_duration_ms" and isinstance(value, (int, float)):
        value = f"{int(value)}ms" if value < 1000 else f"{value / 1000:.1f}s"
    elif field in ("info.request_preview", "info.response_preview") and len(str(value)) > PREVIEW_CELL_LENGTH:
        value = str(value)[:PREVIEW_CELL_LENGTH - 3] + "..."
    return "" if value is None else (value if isinstance(value, str) else json.dumps(value))


def table_rows(trace_dicts, fields):
    from runtime.tracing.extract import extract_values

    return [[_cell(f, extract_values(t, f)) for f in fields] for t in trace_dicts]


def check_no_warehouse(sql_warehouse_id):
    if sql_warehouse_id:
        raise InvalidParameter.for_param(
            "sql_warehouse_id", "only applies to Databricks (traces of Unity Catalog models searched through a "
            "SQL warehouse); mlf's file, SQL and REST stores do not use it. Leave it out.")
