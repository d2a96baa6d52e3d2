"""Protobuf JSON spellings of time: Timestamp (RFC 3339) and Duration ("1.5s").

MLflow sends trace and assessment times this way over REST and stores them
this way in the file store's YAML; we keep integer milliseconds internally.
"""

import re
from datetime import datetime, timezone

from runtime.errors import InvalidParameter

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$"
)
_DURATION_RE = re.compile(r"^(-)?(\d+)(?:\.(\d{1,9}))?s$")


def _fraction(nanos):
    """Protobuf writes 0, 3, 6 or 9 fractional digits, whichever is exact."""
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1_000 == 0:
        return f".{nanos // 1_000:06d}"
    return f".{nanos:09d}"


def ms_to_timestamp(ms):
    """Integer milliseconds since the epoch -> '2025-01-31T12:00:00.123Z'."""
    ms = int(ms)
    seconds, millis = divmod(ms, 1000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(millis * 1_000_000) + "Z"


def timestamp_to_ms(value):
    """An RFC 3339 string (or a number of milliseconds) -> integer milliseconds."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidParameter(f"Invalid timestamp {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    if text.isascii() and text.lstrip("-").isdigit():  # "²" is a digit to isdigit() but not to int()
        return int(text)
    match = _TIMESTAMP_RE.match(text)
    if not match:
        raise InvalidParameter(f"Invalid timestamp {value!r}: expected RFC 3339 such as 2025-01-31T12:00:00.123Z")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone.utc)
    except ValueError as exc:
        raise InvalidParameter(f"Invalid timestamp {value!r}: {exc}") from None
    offset_minutes = 0
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset_minutes = sign * (int(zone[1:3]) * 60 + int(zone[4:6]))
    whole = int((moment - _EPOCH).total_seconds()) - offset_minutes * 60
    nanos = int((fraction or "").ljust(9, "0") or 0)
    return whole * 1000 + nanos // 1_000_000


def ms_to_duration(ms):
    """Integer milliseconds -> protobuf Duration JSON such as '0.060s'."""
    ms = int(ms)
    sign = "-" if ms < 0 else ""
    seconds, millis = divmod(abs(ms), 1000)
    return f"{sign}{seconds}{_fraction(millis * 1_000_000)}s"


def duration_to_ms(value):
    """A Duration string ('1.5s') or a number of milliseconds -> integer milliseconds."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidParameter(f"Invalid duration {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    match = _DURATION_RE.match(str(value).strip())
    if not match:
        raise InvalidParameter(f"Invalid duration {value!r}: expected seconds such as '1.5s'")
    negative, seconds, fraction = match.groups()
    nanos = int(seconds) * 1_000_000_000 + int((fraction or "").ljust(9, "0") or 0)
    ms = nanos // 1_000_000
    return -ms if negative else ms
