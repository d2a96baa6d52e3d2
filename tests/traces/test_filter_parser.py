"""The trace filter and order_by parsers: the AST they build and the errors (with positions) they raise."""

import re

import pytest

from runtime.errors import InvalidParameter
from runtime.tracing.filter import (
    TraceComparison,
    TraceOrderKey,
    complete_trace_order,
    parse_trace_filter,
    parse_trace_order_by,
)


def test_blank_filters_parse_to_nothing():
    assert parse_trace_filter(None) == ()
    assert parse_trace_filter("  ") == ()


@pytest.mark.parametrize("text, expected", [
    ("status = 'OK'", TraceComparison("attribute", "state", "=", "OK")),
    ("trace.status = 'OK'", TraceComparison("attribute", "state", "=", "OK")),
    ("timestamp_ms > 17", TraceComparison("attribute", "timestamp_ms", ">", 17)),
    ("timestamp >= 1.5", TraceComparison("attribute", "timestamp_ms", ">=", 1.5)),
    ("execution_time_ms <> 3", TraceComparison("attribute", "execution_time_ms", "!=", 3)),
    ("execution_time == 3", TraceComparison("attribute", "execution_time_ms", "=", 3)),
    ("name LIKE 'a%'", TraceComparison("tag", "mlflow.traceName", "LIKE", "a%")),
    ("run_id IN ('a', \"b\")", TraceComparison("run", "run_id", "IN", ("a", "b"))),
    ("run_id not in ('a')", TraceComparison("run", "run_id", "NOT IN", ("a",))),
    ("metadata.`mlflow.sourceRun` = 'r'", TraceComparison("metadata", "mlflow.sourceRun", "=", "r")),
    ("metadata.mlflow.sourceRun = 'r'", TraceComparison("metadata", "mlflow.sourceRun", "=", "r")),
    ('tags."my key" ILIKE \'x\'', TraceComparison("tag", "my key", "ILIKE", "x")),
    ("tags.k IS NULL", TraceComparison("tag", "k", "IS NULL", None)),
    ("tags.k is not null", TraceComparison("tag", "k", "IS NOT NULL", None)),
    ("tags.k = 'it''s'", TraceComparison("tag", "k", "=", "it's")),
    ("tags.k = 'a\\'b'", TraceComparison("tag", "k", "=", "a'b")),
    ("`request_id` = 'tr-1'", TraceComparison("attribute", "trace_id", "=", "tr-1")),
])
def test_single_comparisons(text, expected):
    assert parse_trace_filter(text) == (expected,)


def test_conjunction_keeps_order():
    parsed = parse_trace_filter("status = 'OK' and tags.a = 'b' AND timestamp_ms < 5")
    assert [c.key for c in parsed] == ["state", "a", "timestamp_ms"]


@pytest.mark.parametrize("text, position, fragment", [
    ("status = 'OK' OR status = 'ERROR'", 15, "OR is not supported"),
    ("statu = 'OK'", 1, "unknown field 'statu'"),
    ("status = OK", 10, "expected a quoted string"),
    ("status = 'OK", 10, "unterminated quoted text"),
    ("timestamp_ms > 'x'", 16, "expected a number"),
    ("status > 'OK'", 8, "operator > cannot be used with state"),
    ("tags.env < 'a'", 10, "operator < cannot be used with tags.env"),
    ("run_id IS NULL", 8, "operator IS NULL cannot be used with run_id"),
    ("status = 'OK' tags.a = 'b'", 15, "expected AND or the end of the filter"),
    ("status = 'OK' AND", 18, "expected a field name, found the end"),
    ("span.name = 'x'", 1, "'span.' filters are not supported"),
    ("feedback.quality = 'x'", 1, "'feedback.' filters are not supported"),
    ("params.a = 'x'", 1, "unknown field prefix 'params.'"),
    ("status IN 'OK'", 11, "parenthesised list"),
    ("status IN ('OK' 'ERROR')", 17, "expected ',' or ')'"),
    ("tags.a NOT LIKE 'x'", 8, "NOT LIKE is not supported"),
    ("status ~ 'x'", 8, "expected a comparison operator"),
    ("tags. = 'x'", 6, "expected a key after 'tags.'"),
])
def test_malformed_filters_name_the_position(text, position, fragment):
    with pytest.raises(InvalidParameter) as caught:
        parse_trace_filter(text)
    message = caught.value.message
    assert f"at position {position}:" in message, message
    assert fragment in message
    assert repr(text) in message


def test_order_by_forms():
    assert parse_trace_order_by(["timestamp_ms DESC", "name"]) == (
        TraceOrderKey("timestamp_ms", False), TraceOrderKey("name", True))
    assert parse_trace_order_by("status asc, execution_time DESC") == (
        TraceOrderKey("state", True), TraceOrderKey("execution_time_ms", False))
    assert parse_trace_order_by(None) == ()


@pytest.mark.parametrize("clause, fragment", [
    ("tags.x", "cannot order traces by 'tags.x'"),
    ("timestamp_ms sideways", "expected ASC or DESC"),
    ("timestamp_ms ASC DESC", "unexpected text"),
])
def test_order_by_errors(clause, fragment):
    with pytest.raises(InvalidParameter, match=re.escape(fragment)):
        parse_trace_order_by([clause])


def test_default_order_adds_mlflow_tie_breakers():
    assert complete_trace_order(()) == (TraceOrderKey("timestamp_ms", False), TraceOrderKey("trace_id", True))
    assert complete_trace_order((TraceOrderKey("timestamp_ms", True),)) == (
        TraceOrderKey("timestamp_ms", True), TraceOrderKey("trace_id", True))
