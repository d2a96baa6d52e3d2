"""The trace search grammar: filter strings and order_by clauses -> a small AST.

A filter is a conjunction of comparisons::

    status = 'OK' AND timestamp_ms > 1700000000000 AND tags.env = 'prod'
    metadata.`mlflow.sourceRun` = 'abc' AND name LIKE 'chat%'

Fields: trace attributes (``trace_id``/``request_id``, ``client_request_id``,
``status``/``state``, ``timestamp_ms``, ``execution_time_ms``, ``end_time_ms``),
``name`` (the ``mlflow.traceName`` tag), ``run_id`` (the source run in the
metadata, or a run the trace was linked to), ``tags.<key>`` and
``metadata.<key>`` (backticks or double quotes around keys that hold dots or
spaces; a bare dotted key works too), and ``trace.text`` (LIKE / ILIKE over the
JSON of the trace's spans: ``trace.text ILIKE '%refund%'``). Errors name the
1-based position.
"""

import re
from dataclasses import dataclass

from runtime.errors import InvalidParameter

ATTRIBUTE, TAG, METADATA, RUN, TEXT = "attribute", "tag", "metadata", "run", "text"
TRACE_NAME_TAG = "mlflow.traceName"

STRING_ATTRIBUTES = ("trace_id", "client_request_id", "state")
NUMERIC_ATTRIBUTES = ("timestamp_ms", "execution_time_ms", "end_time_ms")
_ATTRIBUTE_ALIASES = {
    "trace_id": "trace_id", "request_id": "trace_id",
    "client_request_id": "client_request_id",
    "status": "state", "state": "state",
    "timestamp_ms": "timestamp_ms", "timestamp": "timestamp_ms", "request_time": "timestamp_ms",
    "execution_time_ms": "execution_time_ms", "execution_time": "execution_time_ms",
    "execution_duration": "execution_time_ms", "execution_duration_ms": "execution_time_ms",
    "end_time_ms": "end_time_ms", "end_time": "end_time_ms",
}
_PREFIXES = {"tags": TAG, "tag": TAG, "metadata": METADATA, "request_metadata": METADATA,
             "attributes": ATTRIBUTE, "attribute": ATTRIBUTE, "trace": ATTRIBUTE}
_UNSUPPORTED_PREFIXES = ("span", "spans", "feedback", "expectation", "assessment", "assessments", "issue")

NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=")
STRING_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
NULL_OPS = ("IS NULL", "IS NOT NULL")
TEXT_OPS = ("LIKE", "ILIKE")  # trace.text: a full-text match over the content of the trace's spans
ORDERABLE = NUMERIC_ATTRIBUTES + STRING_ATTRIBUTES + ("experiment_id", "name")


@dataclass(frozen=True)
class TraceComparison:
    entity: str  # attribute | tag | metadata | run
    key: str  # canonical attribute name, or the tag/metadata key
    op: str  # one of NUMERIC_OPS, STRING_OPS, NULL_OPS
    value: object  # int (numeric attributes), str, tuple[str, ...] for IN / NOT IN, None for IS [NOT] NULL


@dataclass(frozen=True)
class TraceOrderKey:
    key: str  # an ORDERABLE name
    ascending: bool


def operators_for(entity, key):
    if entity == TEXT:
        return TEXT_OPS
    if entity == ATTRIBUTE and key in NUMERIC_ATTRIBUTES:
        return NUMERIC_OPS
    if entity in (TAG, METADATA):
        return STRING_OPS + NULL_OPS
    return STRING_OPS


# ---------------------------------------------------------------- tokenizer
_SPACE_RE = re.compile(r"\s+")
_OP_RE = re.compile(r"<=|>=|!=|<>|==|=|<|>")
_NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_.\-:/]+")


class _Cursor:
    def __init__(self, text, label):
        self.text = text
        self.label = label
        self.pos = 0

    def fail(self, problem, pos=None):
        where = self.pos if pos is None else pos
        raise InvalidParameter(f"Invalid {self.label} {self.text!r} at position {where + 1}: {problem}")

    def skip_space(self):
        match = _SPACE_RE.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def at_end(self):
        self.skip_space()
        return self.pos >= len(self.text)

    def peek_word(self):
        self.skip_space()
        match = _WORD_RE.match(self.text, self.pos)
        return match.group(0).upper() if match else None

    def take_word(self, expected=None):
        self.skip_space()
        match = _WORD_RE.match(self.text, self.pos)
        if not match or (expected and match.group(0).upper() != expected):
            self.fail(f"expected {expected or 'a word'}, found {self.describe()}")
        self.pos = match.end()
        return match.group(0).upper()

    def describe(self):
        self.skip_space()
        if self.pos >= len(self.text):
            return "the end of the text"
        return repr(self.text[self.pos:self.pos + 12])

    def quoted(self):
        """Read '...', "..." or `...` (a doubled quote or a backslash escapes the quote)."""
        start = self.pos
        quote = self.text[start]
        out = []
        i = start + 1
        while i < len(self.text):
            char = self.text[i]
            if char == "\\" and i + 1 < len(self.text) and self.text[i + 1] in (quote, "\\"):
                out.append(self.text[i + 1])
                i += 2
            elif char == quote:
                if i + 1 < len(self.text) and self.text[i + 1] == quote:
                    out.append(quote)
                    i += 2
                else:
                    self.pos = i + 1
                    return "".join(out)
            else:
                out.append(char)
                i += 1
        self.fail(f"unterminated quoted text starting with {quote}", start)


# ---------------------------------------------------------------- identifiers
def _read_identifier(cursor):
    """Return (entity, key, start position)."""
    cursor.skip_space()
    start = cursor.pos
    if cursor.pos >= len(cursor.text):
        cursor.fail("expected a field name, found the end of the text")
    if cursor.text[cursor.pos] in "`\"":
        name = cursor.quoted()
        return _attribute(cursor, name, start)
    match = _WORD_RE.match(cursor.text, cursor.pos)
    if not match:
        cursor.fail(f"expected a field name, found {cursor.describe()}")
    word = match.group(0)
    cursor.pos = match.end()
    if cursor.pos < len(cursor.text) and cursor.text[cursor.pos] == ".":
        prefix = word.lower()
        cursor.pos += 1
        if prefix in _UNSUPPORTED_PREFIXES:
            cursor.fail(f"'{word}.' filters are not supported; use tags.<key>, metadata.<key> or a trace attribute",
                        start)
        if prefix not in _PREFIXES:
            cursor.fail(f"unknown field prefix '{word}.': expected tags., metadata. or attributes.", start)
        key_start = cursor.pos
        if key_start < len(cursor.text) and cursor.text[key_start] in "`\"":
            key = cursor.quoted()
        else:
            key_match = _BARE_KEY_RE.match(cursor.text, key_start)
            if not key_match:
                cursor.fail(f"expected a key after '{word}.'", key_start)
            key = key_match.group(0)
            cursor.pos = key_match.end()
        if key == "":
            cursor.fail(f"empty key after '{word}.'", key_start)
        entity = _PREFIXES[prefix]
        if entity == ATTRIBUTE:
            return _attribute(cursor, key, key_start)
        return entity, key, start
    return _attribute(cursor, word, start)


def _attribute(cursor, name, start):
    lowered = name.lower()
    if lowered == "name":
        return TAG, TRACE_NAME_TAG, start
    if lowered == "run_id":
        return RUN, "run_id", start
    if lowered == "text":
        return TEXT, "content", start
    canonical = _ATTRIBUTE_ALIASES.get(lowered)
    if canonical is None:
        cursor.fail(
            f"unknown field {name!r}: expected run_id, status, timestamp_ms, execution_time_ms, name, "
            "trace_id, client_request_id, end_time_ms, text, tags.<key> or metadata.<key>", start)
    return ATTRIBUTE, canonical, start


# ---------------------------------------------------------------- comparisons
def _read_operator(cursor):
    cursor.skip_space()
    start = cursor.pos
    match = _OP_RE.match(cursor.text, cursor.pos)
    if match:
        cursor.pos = match.end()
        return {"==": "=", "<>": "!="}.get(match.group(0), match.group(0)), start
    word = cursor.peek_word()
    if word in ("LIKE", "ILIKE", "IN"):
        cursor.take_word()
        return word, start
    if word == "NOT":
        cursor.take_word()
        following = cursor.peek_word()
        if following in ("IN", "LIKE", "ILIKE"):
            cursor.take_word()
            if following != "IN":
                cursor.fail(f"NOT {following} is not supported", start)
            return "NOT IN", start
        cursor.fail(f"expected IN after NOT, found {cursor.describe()}")
    if word == "IS":
        cursor.take_word()
        if cursor.peek_word() == "NOT":
            cursor.take_word()
            cursor.take_word("NULL")
            return "IS NOT NULL", start
        cursor.take_word("NULL")
        return "IS NULL", start
    cursor.fail(f"expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL), "
                f"found {cursor.describe()}")


def _read_string(cursor, what):
    cursor.skip_space()
    if cursor.pos < len(cursor.text) and cursor.text[cursor.pos] in "'\"":
        return cursor.quoted()
    cursor.fail(f"expected a quoted string for {what}, found {cursor.describe()}")


def _read_number(cursor, what):
    cursor.skip_space()
    match = _NUMBER_RE.match(cursor.text, cursor.pos)
    if not match:
        cursor.fail(f"expected a number for {what}, found {cursor.describe()}")
    cursor.pos = match.end()
    number = float(match.group(0))
    return int(number) if number.is_integer() else number


def _read_list(cursor, what):
    cursor.skip_space()
    if cursor.pos >= len(cursor.text) or cursor.text[cursor.pos] != "(":
        cursor.fail(f"expected a parenthesised list of quoted strings for {what}, found {cursor.describe()}")
    cursor.pos += 1
    items = []
    while True:
        items.append(_read_string(cursor, what))
        cursor.skip_space()
        if cursor.pos < len(cursor.text) and cursor.text[cursor.pos] == ",":
            cursor.pos += 1
            continue
        if cursor.pos < len(cursor.text) and cursor.text[cursor.pos] == ")":
            cursor.pos += 1
            return tuple(items)
        cursor.fail(f"expected ',' or ')' in the list, found {cursor.describe()}")


def _describe_field(entity, key):
    if entity == TAG and key == TRACE_NAME_TAG:
        return "name"
    return {ATTRIBUTE: key, RUN: "run_id", TAG: f"tags.{key}", METADATA: f"metadata.{key}", TEXT: "trace.text"}[entity]


def _read_comparison(cursor):
    entity, key, start = _read_identifier(cursor)
    op, op_pos = _read_operator(cursor)
    field_name = _describe_field(entity, key)
    allowed = operators_for(entity, key)
    if op not in allowed:
        cursor.fail(f"operator {op} cannot be used with {field_name} (use {', '.join(allowed)})", op_pos)
    if op in NULL_OPS:
        value = None
    elif op in ("IN", "NOT IN"):
        value = _read_list(cursor, field_name)
    elif entity == ATTRIBUTE and key in NUMERIC_ATTRIBUTES:
        value = _read_number(cursor, field_name)
    else:
        value = _read_string(cursor, field_name)
    return TraceComparison(entity, key, op, value)


def parse_trace_filter(text):
    """Parse a filter string into a tuple of TraceComparison (None or blank -> ())."""
    if text is None or not str(text).strip():
        return ()
    cursor = _Cursor(str(text), "trace filter")
    comparisons = [_read_comparison(cursor)]
    while not cursor.at_end():
        word_pos = cursor.pos
        word = cursor.peek_word()
        if word == "OR":
            cursor.fail("OR is not supported: combine conditions with AND", word_pos)
        if word != "AND":
            cursor.fail(f"expected AND or the end of the filter, found {cursor.describe()}")
        cursor.take_word("AND")
        comparisons.append(_read_comparison(cursor))
    return tuple(comparisons)


# ---------------------------------------------------------------- order_by
def _order_key(clause, cursor):
    cursor.skip_space()
    start = cursor.pos
    if cursor.pos < len(cursor.text) and cursor.text[cursor.pos] in "`\"":
        name = cursor.quoted()
    else:
        match = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*").match(cursor.text, cursor.pos)
        if not match:
            cursor.fail(f"expected a field name, found {cursor.describe()}")
        name = match.group(0)
        cursor.pos = match.end()
    lowered = name.lower()
    for prefix in ("attributes.", "attribute.", "trace."):
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix):]
    if lowered in ("name", "experiment_id"):
        return lowered, start
    canonical = _ATTRIBUTE_ALIASES.get(lowered)
    if canonical is None:
        cursor.fail(f"cannot order traces by {name!r}: use one of {', '.join(ORDERABLE)}", start)
    return canonical, start


def parse_trace_order_by(clauses):
    """['timestamp_ms DESC', 'name'] (or one comma-separated string) -> tuple of TraceOrderKey."""
    if clauses is None:
        return ()
    if isinstance(clauses, str):
        clauses = [clauses]
    keys = []
    for raw in clauses:
        for clause in str(raw).split(","):
            if not clause.strip():
                continue
            cursor = _Cursor(clause, "order_by clause")
            key, _ = _order_key(clause, cursor)
            ascending = True
            if not cursor.at_end():
                direction = cursor.take_word()
                if direction not in ("ASC", "DESC"):
                    cursor.fail(f"expected ASC or DESC, found {direction!r}")
                ascending = direction == "ASC"
            if not cursor.at_end():
                cursor.fail(f"unexpected text {cursor.describe()} after the order direction")
            keys.append(TraceOrderKey(key, ascending))
    return tuple(keys)


def complete_trace_order(order_keys):
    """Order keys plus MLflow's tie-breakers: timestamp_ms DESC, then trace_id ASC."""
    keys = list(order_keys)
    if not any(k.key == "timestamp_ms" for k in keys):
        keys.append(TraceOrderKey("timestamp_ms", False))
    if not any(k.key == "trace_id" for k in keys):
        keys.append(TraceOrderKey("trace_id", True))
    return tuple(keys)
