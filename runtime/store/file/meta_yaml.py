"""Fast reader and writer for the meta.yaml files of MLflow's file store.

MLflow writes these files with ``yaml.safe_dump(default_flow_style=False,
allow_unicode=True)``: a flat mapping (sometimes one nested mapping) of plain,
single-quoted or double-quoted scalars, possibly folded over several lines.
Parsing that subset by hand avoids importing PyYAML, which costs more than
reading a whole experiment. Anything outside the subset goes to
``yaml.safe_load`` (imported lazily), so an unusual file is still read
correctly, only slower.

Resolution of plain scalars follows YAML 1.1 as PyYAML implements it: null,
booleans and decimal integers are resolved here; any other scalar that PyYAML
would turn into a non-string (floats, octal/hex/sexagesimal ints, dates, '<<',
'=') is handed to the fallback rather than guessed.
"""

import re

__all__ = ["MetaYamlError", "loads", "load_file", "dumps"]


class MetaYamlError(ValueError):
    """The text is not valid YAML (or not UTF-8)."""


class _Unsupported(Exception):
    """Outside the hand-parsed subset: let PyYAML decide."""


# Characters the fast path accepts anywhere in the file. Tabs, CR, NEL, the
# Unicode line/paragraph separators, BOM and control characters change how
# YAML splits lines or are errors, so their presence sends the file to PyYAML.
_ALLOWED_CHARS = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_lazy_patterns = {}


def _pattern(name, source):
    # These classes span most of Unicode and take ~15 ms to compile: only files
    # with unusual characters pay for it, and only once.
    if name not in _lazy_patterns:
        _lazy_patterns[name] = re.compile(source)
    return _lazy_patterns[name]


def _inside_subset(text):
    # Everything str.isprintable() accepts lies in the allowed ranges.
    if text.replace("\n", "").isprintable():
        return True
    return _pattern("outside", f"[^\n{_ALLOWED_CHARS}]").search(text) is None


def _printable(text):
    """True when text can stand in a quoted YAML scalar without escapes."""
    return text.isprintable() or _pattern("printable", f"[{_ALLOWED_CHARS}]*").fullmatch(text) is not None


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUES = frozenset(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"))
_FALSES = frozenset(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"))
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
# Every other plain scalar PyYAML resolves to a non-string (YAML 1.1 floats,
# ints in other bases or with '_', sexagesimal numbers, timestamps, merge and
# value keys). Deliberately a little broader than the spec: a false positive
# only costs a fallback.
_OTHER_IMPLICIT = re.compile(
    r"""(?:
        [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
      | [-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
      | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
      | [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?0x[0-9a-fA-F_]+
      | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+
      | [-+]?[0-9][0-9_]*
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt\ ].*)?
      | << | =
    )""",
    re.VERBOSE,
)

_ESCAPES = {
    "0": "\x00", "a": "\x07", "b": "\x08", "t": "\x09", "\t": "\x09", "n": "\x0a",
    "v": "\x0b", "f": "\x0c", "r": "\x0d", "e": "\x1b", " ": " ", '"': '"', "\\": "\\",
    "/": "/", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPE_LENGTH = {"x": 2, "u": 4, "U": 8}


# ---------------------------------------------------------------- reading
def load_file(path):
    """Parse the meta.yaml at ``path``; MetaYamlError if it is not valid YAML."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetaYamlError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return loads(text)


def loads(text):
    """Parse YAML text the way ``yaml.safe_load`` would."""
    if _inside_subset(text):
        try:
            return _parse_document(text)
        except _Unsupported:
            pass
    return _load_with_pyyaml(text)


def _load_with_pyyaml(text):
    import yaml  # only for files outside the subset MLflow writes

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MetaYamlError(" ".join(str(exc).split())) from None


# First characters that make a value more than a simple plain scalar.
_PLAIN_INDICATORS = frozenset(" #,[]{}&*!|>'\"%@`?:-")
# Keys already checked by _split_key, with their resolved value. MLflow files
# repeat a dozen keys, so this stays tiny; it is capped anyway.
_FLAT_KEYS = {}


def _parse_document(text):
    if "\n " not in text and not text.startswith(" "):
        return _parse_flat(text)
    lines = text.split("\n")
    if not any(line.strip(" ") for line in lines):
        return None
    first = next(line for line in lines if line.strip(" "))
    if first.startswith(" "):
        raise _Unsupported
    return _parse_mapping(lines, 0)


def _parse_flat(text):
    """A document without indented lines: every line is its own entry."""
    result = {}
    for line in text.split("\n"):
        if not line:
            continue
        name, sep, value = line.partition(": ")
        key = _FLAT_KEYS.get(name) if sep else None
        if key is None or not value:
            key, rest = _split_key(line)
            if key == name and len(_FLAT_KEYS) < 256:  # plain keys only
                _FLAT_KEYS[name] = key
            result[key] = _parse_value(rest, ())
            continue
        head = value[0]
        if head == "'":
            if value[-1] == "'" and value.count("'") == 2 and len(value) > 1:
                result[key] = value[1:-1]
                continue
        elif (
            head not in _PLAIN_INDICATORS
            and value[-1] not in ": "
            and ": " not in value
            and " #" not in value
        ):
            result[key] = _resolve_plain(value)
            continue
        result[key] = _parse_value(" " + value, ())
    if not result:
        raise _Unsupported
    return result


def _indent_of(line):
    return len(line) - len(line.lstrip(" "))


def _parse_mapping(lines, indent):
    result = {}
    count = len(lines)
    i = 0
    while i < count:
        line = lines[i]
        if not line.strip(" "):
            i += 1
            continue
        if _indent_of(line) != indent:
            raise _Unsupported
        key, rest = _split_key(line[indent:])
        end = i + 1
        while end < count and (not lines[end].strip(" ") or _indent_of(lines[end]) > indent):
            end += 1
        result[key] = _parse_value(rest, lines[i + 1:end])
        i = end
    return result


def _split_key(body):
    if body.startswith(("---", "...")):
        raise _Unsupported
    if body[0] in "'\"":
        key, end = _scan_quoted(body, 0)
        rest = body[end:]
        if not rest.startswith(":"):
            raise _Unsupported
        rest = rest[1:]
    else:
        colon = body.find(": ")
        if colon < 0:
            if not body.endswith(":"):
                raise _Unsupported
            colon = len(body) - 1
        key = _resolve_plain(_check_plain(body[:colon]))
        rest = body[colon + 1:]
    if rest and not rest.startswith(" "):
        raise _Unsupported
    return key, rest


def _parse_value(rest, continuation):
    text = rest.strip(" ")
    if not text:
        content = [line for line in continuation if line.strip(" ")]
        if not content:
            return None
        return _parse_mapping(continuation, _indent_of(content[0]))
    head = text[0]
    if head in "'\"":
        joined = "\n".join([text, *continuation])
        value, end = _scan_quoted(joined, 0)
        if joined[end:].strip(" \n"):
            raise _Unsupported
        return value
    if text == "[]":
        return [] if not any(line.strip(" ") for line in continuation) else _unsupported()
    if text == "{}":
        return {} if not any(line.strip(" ") for line in continuation) else _unsupported()
    return _resolve_plain(_fold_plain(text, continuation))


def _unsupported():
    raise _Unsupported


def _check_plain(piece):
    """Refuse pieces of a plain scalar that YAML would read as syntax."""
    if not piece or piece[0] in "#,[]{}&*!|>'\"%@`":
        raise _Unsupported
    if piece[0] in "-?:" and (len(piece) == 1 or piece[1] == " "):
        raise _Unsupported
    if ": " in piece or " #" in piece or piece.endswith(":") or piece != piece.strip(" "):
        raise _Unsupported
    return piece


def _fold_plain(first, continuation):
    parts = [_check_plain(first)]
    pending_breaks = 0
    for line in continuation:
        piece = line.strip(" ")
        if not piece:
            pending_breaks += 1
            continue
        if piece[0] == "#" or ": " in piece or " #" in piece or piece.endswith(":"):
            raise _Unsupported
        parts.append("\n" * pending_breaks if pending_breaks else " ")
        parts.append(piece)
        pending_breaks = 0
    return "".join(parts)


def _resolve_plain(text):
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    head = text[0]
    if head in "0123456789+-.<=":
        if _DECIMAL_INT.fullmatch(text):
            return int(text)
        if _OTHER_IMPLICIT.fullmatch(text):
            raise _Unsupported
    return text


def _skip_breaks(text, i):
    """After a line break inside a quoted scalar: skip indentation, count blank lines."""
    breaks = []
    length = len(text)
    while True:
        while i < length and text[i] == " ":
            i += 1
        if i < length and text[i] == "\n":
            breaks.append("\n")
            i += 1
        else:
            return i, breaks


def _scan_quoted(text, start):
    """Scan a single- or double-quoted flow scalar; return (value, index after it)."""
    quote = text[start]
    double = quote == '"'
    out = []
    i = start + 1
    length = len(text)
    while True:
        while True:
            if i >= length:
                raise _Unsupported  # unterminated: let PyYAML produce the error
            ch = text[i]
            if ch == quote:
                if not double and text.startswith("''", i):
                    out.append("'")
                    i += 2
                    continue
                return "".join(out), i + 1
            if double and ch == "\\":
                i = _scan_escape(text, i, out)
                continue
            if ch == " " or ch == "\n":
                break
            out.append(ch)
            i += 1
        spaces_end = i
        while spaces_end < length and text[spaces_end] == " ":
            spaces_end += 1
        if spaces_end < length and text[spaces_end] == "\n":
            i, breaks = _skip_breaks(text, spaces_end + 1)
            out.extend(breaks or " ")
        else:
            out.append(text[i:spaces_end])
            i = spaces_end


def _scan_escape(text, i, out):
    code = text[i + 1:i + 2]
    if code in _ESCAPES:
        out.append(_ESCAPES[code])
        return i + 2
    if code in _HEX_ESCAPE_LENGTH:
        size = _HEX_ESCAPE_LENGTH[code]
        digits = text[i + 2:i + 2 + size]
        if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise _Unsupported
        out.append(chr(int(digits, 16)))
        return i + 2 + size
    if code == "\n":
        i, breaks = _skip_breaks(text, i + 2)
        out.extend(breaks)
        return i
    raise _Unsupported


# ---------------------------------------------------------------- writing
def dumps(mapping):
    """YAML for a mapping that ``yaml.safe_load`` reads back identically.

    Keys are sorted and lines never wrap. For the values MLflow stores the
    output equals ``yaml.safe_dump(..., default_flow_style=False,
    allow_unicode=True)`` byte for byte; strings PyYAML would fold over
    several lines are written on one line (double-quoted if they hold line
    breaks or non-printable characters).
    """
    if not mapping:
        return "{}\n"
    lines = []
    _emit_mapping(mapping, "", lines)
    return "\n".join(lines) + "\n"


def _emit_mapping(mapping, pad, lines):
    for key in sorted(mapping):
        value = mapping[key]
        name = _scalar(key)
        if isinstance(value, dict) and value:
            lines.append(f"{pad}{name}:")
            _emit_mapping(value, pad + "  ", lines)
        elif isinstance(value, (list, tuple)) and value:
            lines.append(f"{pad}{name}:")
            for item in value:
                if isinstance(item, (dict, list, tuple)):
                    raise TypeError("meta_yaml.dumps writes lists of scalars only")
                lines.append(f"{pad}- {_scalar(item)}")
        elif isinstance(value, dict):
            lines.append(f"{pad}{name}: {{}}")
        elif isinstance(value, (list, tuple)):
            lines.append(f"{pad}{name}: []")
        else:
            lines.append(f"{pad}{name}: {_scalar(value)}")


def _scalar(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, str):
        return _string_text(value)
    raise TypeError(f"meta_yaml.dumps cannot write {type(value).__name__}")


def _float_text(value):
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


def _plain_allowed(text):
    if not text or text != text.strip(" ") or not _printable(text):
        return False
    if text.startswith(("---", "...")):
        return False
    try:
        return _resolve_plain(_check_plain(text)) == text
    except _Unsupported:
        return False


def _string_text(text):
    if _plain_allowed(text):
        return text
    if _printable(text):
        return "'" + text.replace("'", "''") + "'"
    return '"' + "".join(_double_quoted_char(ch) for ch in text) + '"'


_ESCAPE_FOR = {
    "\\": "\\\\", '"': '\\"', "\x00": "\\0", "\x07": "\\a", "\x08": "\\b", "\t": "\\t",
    "\n": "\\n", "\x0b": "\\v", "\x0c": "\\f", "\r": "\\r", "\x1b": "\\e", "\x85": "\\N",
    "\u2028": "\\L", "\u2029": "\\P",
}


def _double_quoted_char(ch):
    if ch in _ESCAPE_FOR:
        return _ESCAPE_FOR[ch]
    if _printable(ch):
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"
