"""Parse MLflow search filters and order_by clauses into a small AST.

A filter is a conjunction of comparisons::

    metrics.acc > 0.9 and params.lr = '0.01' and tags.`my key` LIKE 'a%'

Every store consumes the same ``Comparison`` / ``OrderKey`` tuples: the file
store evaluates them (runtime.search.evaluate), the SQL store translates them.

Error messages name a 1-based character position in the text that was parsed.
String literals take single or double quotes; inside them a backslash escapes
a quote, a backtick or a backslash, and a doubled quote stands for one quote.
Any other backslash is kept as written, so LIKE patterns can escape % and _.
"""

import re
from dataclasses import dataclass

from runtime.errors import InvalidParameter

# ---------------------------------------------------------------------------
# The AST

METRIC = "metric"
PARAM = "param"
TAG = "tag"
ATTRIBUTE = "attribute"
DATASET = "dataset"


@dataclass(frozen=True)
class Comparison:
    entity: str  # metric | param | tag | attribute | dataset
    key: str  # canonical key, quotes removed
    op: str  # =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL
    value: object  # float (numeric), str, tuple[str, ...] (IN / NOT IN), None (IS [NOT] NULL)


@dataclass(frozen=True)
class OrderKey:
    entity: str
    key: str
    ascending: bool


# Bounds on what one search may ask for, so a hostile query is refused at once instead of
# costing seconds or exhausting a database (SQLite crashes on a few dozen metric order keys).
MAX_FILTER_LENGTH = 50_000
MAX_FILTER_TERMS = 100
MAX_ORDER_BY_KEYS = 20

NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=")
STRING_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
NULL_OPS = ("IS NULL", "IS NOT NULL")

# Every spelling MLflow accepts before the dot, mapped to our entity names.
_PREFIXES = {
    "metric": METRIC,
    "metrics": METRIC,
    "param": PARAM,
    "params": PARAM,
    "parameter": PARAM,
    "parameters": PARAM,
    "tag": TAG,
    "tags": TAG,
    "attribute": ATTRIBUTE,
    "attributes": ATTRIBUTE,
    "attr": ATTRIBUTE,
    "run": ATTRIBUTE,
    "dataset": DATASET,
    "datasets": DATASET,
}
_PREFIX_HINT = {
    METRIC: "metrics.<key>",
    PARAM: "params.<key>",
    TAG: "tags.<key>",
    ATTRIBUTE: "attributes.<name>",
    DATASET: "datasets.<name|digest|context>",
}
DATASET_KEYS = ("name", "digest", "context")


@dataclass(frozen=True)
class _Vocabulary:
    """What one kind of search (runs or experiments) accepts."""

    subject: str
    filter_entities: tuple
    order_entities: tuple
    string_attributes: tuple
    numeric_attributes: tuple
    attribute_aliases: tuple  # (alias, canonical) pairs
    null_entities: tuple  # entities that take IS NULL / IS NOT NULL
    restricted_ops: tuple  # (attribute, ops) pairs narrowing the default operators

    def canonical_attribute(self, name):
        return dict(self.attribute_aliases).get(name, name)

    def is_numeric(self, entity, key):
        return entity == METRIC or (entity == ATTRIBUTE and key in self.numeric_attributes)

    def operators(self, entity, key):
        if entity == ATTRIBUTE and key in dict(self.restricted_ops):
            return dict(self.restricted_ops)[key]
        if self.is_numeric(entity, key):
            return NUMERIC_OPS
        if entity in self.null_entities:
            return STRING_OPS + NULL_OPS
        return STRING_OPS


RUNS = _Vocabulary(
    subject="run",
    filter_entities=(METRIC, PARAM, TAG, ATTRIBUTE, DATASET),
    order_entities=(METRIC, PARAM, TAG, ATTRIBUTE),
    string_attributes=("run_id", "run_name", "status", "user_id", "artifact_uri", "lifecycle_stage"),
    numeric_attributes=("start_time", "end_time"),
    attribute_aliases=(
        ("created", "start_time"),
        ("Created", "start_time"),
        ("run name", "run_name"),
        ("Run name", "run_name"),
        ("Run Name", "run_name"),
    ),
    null_entities=(PARAM, TAG),
    restricted_ops=(),
)

EXPERIMENTS = _Vocabulary(
    subject="experiment",
    filter_entities=(TAG, ATTRIBUTE),
    order_entities=(ATTRIBUTE,),
    string_attributes=("name", "experiment_id"),
    numeric_attributes=("creation_time", "last_update_time"),
    attribute_aliases=(),
    null_entities=(TAG,),
    # Experiment ids are integers in SQL stores: pattern matching on them makes no sense.
    restricted_ops=(("experiment_id", ("=", "!=", "IN", "NOT IN")),),
)

# ---------------------------------------------------------------------------
# Tokenizer

_KEYWORDS = ("AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "NULL", "ASC", "DESC")
_OPERATOR_RE = re.compile(r"<=|>=|!=|==|<>|=|<|>")
# ASCII digits only: "²" or "٣" are digits to str.isdigit() but never numbers in a filter.
_NUMBER_RE = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_DIGITS = "0123456789"
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# An unquoted key runs until whitespace, an operator, a quote or punctuation.
_BARE_KEY_RE = re.compile(r"[^\s=!<>()',\"`]+")
_QUOTES = "'\"`"
_ESCAPABLE = "\\'\"`"


@dataclass(frozen=True)
class _Token:
    kind: str  # ident | string | number | op | keyword | punct | end
    text: str  # as written, for messages
    pos: int  # 0-based offset into the parsed text
    value: object = None
    # ident only: the prefix before the dot (None for a bare attribute) and where the key starts
    prefix: object = None
    key_pos: int = 0


class _Syntax:
    """Raises errors that point at a position of one parsed text."""

    def __init__(self, text, label):
        self.text = text
        self.label = label

    def fail(self, pos, problem):
        raise InvalidParameter(f"Error in {self.label} {self.text!r} at position {pos + 1}: {problem}")


def _describe(token):
    return "the end of the text" if token.kind == "end" else repr(token.text)


def _read_quoted(text, start, syntax):
    """Read a quoted run starting at text[start]; return (content, index after the closing quote)."""
    quote = text[start]
    out = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            out.append(text[i + 1])
            i += 2
        elif char == quote:
            if i + 1 < len(text) and text[i + 1] == quote:  # SQL style doubled quote
                out.append(quote)
                i += 2
            else:
                return "".join(out), i + 1
        else:
            out.append(char)
            i += 1
    syntax.fail(start, f"unterminated quoted text starting with {quote}")


def _ends_token(text, i):
    return i >= len(text) or text[i].isspace() or text[i] in "=!<>(),"


def _read_identifier(text, start, syntax):
    """Read `prefix.key`, a bare attribute name or a backtick-quoted name."""
    if text[start] == "`":
        head, i = _read_quoted(text, start, syntax)
    else:
        match = _WORD_RE.match(text, start)
        head, i = match.group(), match.end()
    if i >= len(text) or text[i] != ".":
        if not _ends_token(text, i):
            syntax.fail(i, f"unexpected character {text[i]!r} after {text[start:i]!r}")
        if text[start] != "`" and head.upper() in _KEYWORDS:
            return _Token("keyword", head, start, head.upper())
        return _Token("ident", text[start:i], start, head, prefix=None, key_pos=start)
    key_pos = i + 1
    if key_pos < len(text) and text[key_pos] in "`\"":
        key, i = _read_quoted(text, key_pos, syntax)
    else:
        match = _BARE_KEY_RE.match(text, key_pos)
        key, i = (match.group(), match.end()) if match else ("", key_pos)
    if not _ends_token(text, i):
        syntax.fail(i, f"unexpected character {text[i]!r} in identifier {text[start:i]!r}")
    return _Token("ident", text[start:i], start, key, prefix=head, key_pos=key_pos)


def _tokenize(text, syntax):
    tokens = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            tokens.append(_Token("end", "", len(text)))
            return tokens
        char = text[i]
        if char in "(),":
            tokens.append(_Token("punct", char, i, char))
            i += 1
        elif char in "'\"":
            value, end = _read_quoted(text, i, syntax)
            tokens.append(_Token("string", text[i:end], i, value))
            i = end
        elif _OPERATOR_RE.match(text, i):
            op = _OPERATOR_RE.match(text, i).group()
            tokens.append(_Token("op", op, i, op))
            i += len(op)
        elif char in _DIGITS or (char in "-+." and _NUMBER_RE.match(text, i)):
            match = _NUMBER_RE.match(text, i)
            end = match.end()
            if not _ends_token(text, end):
                syntax.fail(end, f"unexpected character {text[end]!r} after the number {match.group()!r}")
            tokens.append(_Token("number", match.group(), i, float(match.group())))
            i = end
        elif char == "`" or _WORD_RE.match(text, i):
            token = _read_identifier(text, i, syntax)
            tokens.append(token)
            i = token.pos + len(token.text)
        else:
            syntax.fail(i, f"unexpected character {char!r}")


class _Cursor:
    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0

    def peek(self):
        return self.tokens[self.index]

    def take(self):
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def take_keyword(self, word):
        token = self.peek()
        if token.kind == "keyword" and token.value == word:
            return self.take()
        return None


# ---------------------------------------------------------------------------
# Identifiers


def _resolve(token, vocab, entities, syntax, purpose):
    """Turn an identifier token into (entity, canonical key) or fail with a position."""
    hints = ", ".join(_PREFIX_HINT[e] for e in entities)
    if token.kind != "ident":
        syntax.fail(token.pos, f"expected an identifier such as {hints}, found {_describe(token)}")
    if token.prefix is None:
        entity = ATTRIBUTE
    else:
        entity = _PREFIXES.get(token.prefix)
        if entity is None:
            syntax.fail(token.pos, f"unknown entity {token.prefix!r}: use one of {hints}")
    if entity not in entities:
        syntax.fail(token.pos, f"{token.prefix}.<key> cannot be used to {purpose} {vocab.subject}s: use one of {hints}")
    key = token.value
    if key == "":
        syntax.fail(token.key_pos, f"expected a key after {token.prefix + '.'!r}")
    if entity == ATTRIBUTE:
        key = vocab.canonical_attribute(key)
        known = vocab.string_attributes + vocab.numeric_attributes
        if key not in known:
            syntax.fail(
                token.key_pos,
                f"unknown {vocab.subject} attribute {token.value!r}: valid attributes are {', '.join(known)}"
                + (f" (or use {hints})" if token.prefix is None else ""),
            )
    elif entity == DATASET and key not in DATASET_KEYS:
        syntax.fail(token.key_pos, f"unknown dataset key {key!r}: valid keys are {', '.join(DATASET_KEYS)}")
    return entity, key


# ---------------------------------------------------------------------------
# Filters


def _read_operator(cursor, syntax):
    token = cursor.take()
    if token.kind == "op":
        if token.value == "==":
            syntax.fail(token.pos, "'==' is not an operator: use '='")
        if token.value == "<>":
            syntax.fail(token.pos, "'<>' is not an operator: use '!='")
        return token.value, token
    if token.kind == "keyword":
        if token.value in ("LIKE", "ILIKE", "IN"):
            return token.value, token
        if token.value == "NOT":
            if cursor.take_keyword("IN"):
                return "NOT IN", token
            syntax.fail(cursor.peek().pos, f"expected IN after NOT, found {_describe(cursor.peek())}")
        if token.value == "IS":
            negated = cursor.take_keyword("NOT") is not None
            if not cursor.take_keyword("NULL"):
                syntax.fail(cursor.peek().pos, f"expected NULL, found {_describe(cursor.peek())}")
            return ("IS NOT NULL" if negated else "IS NULL"), token
    syntax.fail(
        token.pos,
        "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, "
        f"IS NOT NULL), found {_describe(token)}",
    )


def _read_string_list(cursor, syntax, subject):
    opening = cursor.take()
    if opening.kind != "punct" or opening.value != "(":
        syntax.fail(opening.pos, f"expected a parenthesised list of quoted strings for {subject}, found {_describe(opening)}")
    values = []
    while True:
        token = cursor.take()
        if token.kind != "string":
            if token.kind == "punct" and token.value == ")" and not values:
                syntax.fail(token.pos, "expected at least one quoted string in the list")
            syntax.fail(token.pos, f"expected a quoted string in the list, found {_describe(token)}")
        values.append(token.value)
        separator = cursor.take()
        if separator.kind == "punct" and separator.value == ")":
            return tuple(values)
        if not (separator.kind == "punct" and separator.value == ","):
            syntax.fail(separator.pos, f"expected ',' or ')' in the list, found {_describe(separator)}")


def _read_comparison(cursor, vocab, syntax):
    ident = cursor.take()
    entity, key = _resolve(ident, vocab, vocab.filter_entities, syntax, "filter")
    subject = f"{entity} {key!r}"
    op, op_token = _read_operator(cursor, syntax)
    allowed = vocab.operators(entity, key)
    if op not in allowed:
        syntax.fail(op_token.pos, f"operator {op} is not supported for {subject}: use one of {', '.join(allowed)}")
    if op in NULL_OPS:
        return Comparison(entity, key, op, None)
    if op in ("IN", "NOT IN"):
        return Comparison(entity, key, op, _read_string_list(cursor, syntax, subject))
    token = cursor.take()
    if vocab.is_numeric(entity, key):
        if token.kind != "number":
            syntax.fail(token.pos, f"expected a number for {subject}, found {_describe(token)}")
    elif token.kind != "string":
        syntax.fail(token.pos, f"expected a quoted string for {subject} (e.g. 'value'), found {_describe(token)}")
    return Comparison(entity, key, op, token.value)


def _parse_filter(text, vocab):
    if text is None:
        return ()
    if not isinstance(text, str):
        raise InvalidParameter(f"Invalid filter {text!r}: expected a string")
    if not text.strip():
        return ()
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidParameter(f"Invalid filter: {len(text)} characters long, more than the limit of {MAX_FILTER_LENGTH}")
    syntax = _Syntax(text, "filter")
    cursor = _Cursor(_tokenize(text, syntax))
    comparisons = [_read_comparison(cursor, vocab, syntax)]
    while True:
        token = cursor.take()
        if token.kind == "end":
            return tuple(comparisons)
        if token.kind == "keyword" and token.value == "AND":
            if len(comparisons) == MAX_FILTER_TERMS:
                raise InvalidParameter(f"Invalid filter: more than {MAX_FILTER_TERMS} comparisons joined with AND")
            comparisons.append(_read_comparison(cursor, vocab, syntax))
        elif token.kind == "keyword" and token.value == "OR":
            syntax.fail(token.pos, "OR is not supported: search filters are conjunctions joined with AND")
        else:
            syntax.fail(token.pos, f"expected AND or the end of the filter, found {_describe(token)}")


def parse_run_filter(text):
    """Parse a run search filter into a tuple of Comparison (empty for None or blank)."""
    return _parse_filter(text, RUNS)


def parse_experiment_filter(text):
    """Parse an experiment search filter into a tuple of Comparison (empty for None or blank)."""
    return _parse_filter(text, EXPERIMENTS)


# ---------------------------------------------------------------------------
# order_by


def _parse_order_clause(clause, vocab):
    if not isinstance(clause, str):
        raise InvalidParameter(f"Invalid order_by clause {clause!r}: expected a string")
    syntax = _Syntax(clause, "order_by clause")
    if not clause.strip():
        syntax.fail(0, "expected an identifier, found an empty clause")
    cursor = _Cursor(_tokenize(clause, syntax))
    entity, key = _resolve(cursor.take(), vocab, vocab.order_entities, syntax, "order")
    ascending = True
    token = cursor.take()
    if token.kind == "keyword" and token.value in ("ASC", "DESC"):
        ascending = token.value == "ASC"
        token = cursor.take()
    if token.kind != "end":
        syntax.fail(token.pos, f"expected ASC, DESC or the end of the clause, found {_describe(token)}")
    return OrderKey(entity, key, ascending)


def _parse_order_by(clauses, vocab):
    if clauses is None:
        return ()
    if isinstance(clauses, str):
        clauses = [clauses]
    if len(clauses) > MAX_ORDER_BY_KEYS:
        raise InvalidParameter(f"Invalid order_by: {len(clauses)} keys, more than the limit of {MAX_ORDER_BY_KEYS}")
    keys = []
    for clause in clauses:
        key = _parse_order_clause(clause, vocab)
        if any((k.entity, k.key) == (key.entity, key.key) for k in keys):
            raise InvalidParameter(f"order_by names {key.entity} {key.key!r} more than once: {list(clauses)}")
        keys.append(key)
    return tuple(keys)


def parse_run_order_by(clauses):
    """Parse run order_by clauses ("metrics.acc DESC", "start_time", ...) into OrderKeys."""
    return _parse_order_by(clauses, RUNS)


def parse_experiment_order_by(clauses):
    """Parse experiment order_by clauses (attributes only, as MLflow) into OrderKeys."""
    return _parse_order_by(clauses, EXPERIMENTS)


def complete_run_order(order_keys):
    """The full run ordering every store applies: the given keys, then start_time DESC
    (unless already ordered by start_time), then run_id ASC as the final tie-break."""
    keys = list(order_keys or ())
    names = {(k.entity, k.key) for k in keys}
    if (ATTRIBUTE, "start_time") not in names:
        keys.append(OrderKey(ATTRIBUTE, "start_time", False))
    if (ATTRIBUTE, "run_id") not in names:
        keys.append(OrderKey(ATTRIBUTE, "run_id", True))
    return tuple(keys)


def complete_experiment_order(order_keys):
    """The full experiment ordering: default creation_time DESC, experiment_id ASC; a
    user-given order without experiment_id is tie-broken by experiment_id DESC (MLflow's rule)."""
    keys = list(order_keys or ())
    if not keys:
        return (OrderKey(ATTRIBUTE, "creation_time", False), OrderKey(ATTRIBUTE, "experiment_id", True))
    if not any(k.entity == ATTRIBUTE and k.key == "experiment_id" for k in keys):
        keys.append(OrderKey(ATTRIBUTE, "experiment_id", False))
    return tuple(keys)
