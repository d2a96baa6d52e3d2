"""Derive trace info from spans: what a store records when spans arrive before (or without) the info.

Used for OTLP span ingestion and for traces mlf creates itself (Claude Code
sessions, evaluation). Token usage is summed over spans that report
``mlflow.chat.tokenUsage``, as MLflow aggregates it into trace metadata.
"""

import json

from runtime.tracing.entities import (
    MetadataKey,
    SpanAttribute,
    StatusCode,
    TagKey,
    TraceInfo,
    TraceState,
    TRACE_SCHEMA_VERSION,
    trace_id_from_otel,
    truncate_preview,
)

_TOKEN_KEYS = ("input_tokens", "output_tokens", "total_tokens")


def mlflow_trace_id(span):
    """The MLflow trace id a span belongs to (its request-id attribute, else derived from the OTel id)."""
    request_id = span.request_id
    if isinstance(request_id, str) and request_id:
        return request_id
    return trace_id_from_otel(span.trace_id)


def group_by_trace(spans):
    groups = {}
    for span in spans:
        groups.setdefault(mlflow_trace_id(span), []).append(span)
    return groups


def root_span(spans):
    for span in spans:
        if span.is_root:
            return span
    return None


def aggregate_token_usage(spans):
    """Sum of the spans' token usage, or None when no span reports any."""
    total = {}
    for span in spans:
        usage = span.attribute(SpanAttribute.CHAT_USAGE)
        if not isinstance(usage, dict):
            continue
        for key in _TOKEN_KEYS:
            value = usage.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + int(value)
    if not total:
        return None
    if "total_tokens" not in total:
        total["total_tokens"] = total.get("input_tokens", 0) + total.get("output_tokens", 0)
    return total


def _preview(value):
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return truncate_preview(text)


def _state_of(root):
    if root is None or root.end_time_unix_nano is None:
        return TraceState.IN_PROGRESS
    if root.status_code == StatusCode.ERROR:
        return TraceState.ERROR
    return TraceState.OK


def trace_info_from_spans(trace_id, experiment_id, spans, metadata=None, tags=None):
    """A TraceInfo summarising spans: times, state, previews, name and token usage."""
    root = root_span(spans)
    starts = [s.start_time_unix_nano for s in spans if s.start_time_unix_nano]
    start_ns = root.start_time_unix_nano if root is not None else (min(starts) if starts else 0)
    duration_ms = None
    if root is not None and root.end_time_unix_nano is not None:
        duration_ms = max(0, (root.end_time_unix_nano - root.start_time_unix_nano) // 1_000_000)
    info_metadata = {MetadataKey.SCHEMA_VERSION: TRACE_SCHEMA_VERSION}
    info_tags = {}
    request_preview = response_preview = None
    if root is not None:
        request_preview, response_preview = _preview(root.inputs), _preview(root.outputs)
        if request_preview is not None:
            info_metadata[MetadataKey.INPUTS] = request_preview
        if response_preview is not None:
            info_metadata[MetadataKey.OUTPUTS] = response_preview
        info_tags[TagKey.TRACE_NAME] = root.name
    usage = aggregate_token_usage(spans)
    if usage:
        info_metadata[MetadataKey.TOKEN_USAGE] = json.dumps(usage)
    info_metadata.update(metadata or {})
    info_tags.update(tags or {})
    return TraceInfo(
        trace_id=trace_id,
        experiment_id=str(experiment_id),
        request_time=start_ns // 1_000_000,
        state=_state_of(root),
        execution_duration=duration_ms,
        request_preview=request_preview,
        response_preview=response_preview,
        trace_metadata=info_metadata,
        tags=info_tags,
    )


def merge_spans(existing, incoming):
    """existing spans with incoming ones added; a span id seen again replaces the old span."""
    by_id = {s.span_id: s for s in existing}
    order = [s.span_id for s in existing]
    for span in incoming:
        if span.span_id not in by_id:
            order.append(span.span_id)
        by_id[span.span_id] = span
    return [by_id[span_id] for span_id in order]
