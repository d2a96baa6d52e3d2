"""Parse a dotenv file for --env-file (KEY=VALUE lines, `export`, quotes, comments)."""

import os
import re

from runtime.errors import UsageError

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def _unquote(raw):
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        inner = raw[1:-1]
        if raw[0] == '"':
            inner = inner.encode("utf-8").decode("unicode_escape") if "\\" in inner else inner
        return inner
    # An unquoted value ends at an inline comment.
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()


def parse_env_file(path):
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read --env-file {path}: {exc.strerror or exc}") from None
    values = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise UsageError(f"--env-file {path}, line {number}: expected KEY=VALUE")
        values[match.group(1)] = _unquote(match.group(2))
    return values


def apply_env_file(path, environ=None):
    """Load the file into the environment; variables that are already set win."""
    environ = os.environ if environ is None else environ
    for key, value in parse_env_file(path).items():
        environ.setdefault(key, value)
