"""Human-readable renderings of timestamps shared by handlers' table output."""

import datetime


def format_millis(millis):
    """ISO-like UTC text for epoch milliseconds ('' when unknown)."""
    if millis is None:
        return ""
    moment = datetime.datetime.fromtimestamp(int(millis) / 1000, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")
