"""Opaque page tokens and offset pagination shared by every store.

A token is base64 of the JSON {"offset": n}, as MLflow's stores write it. We
emit the URL-safe alphabet and accept both alphabets (tokens written by MLflow
use the standard one), with or without padding.
"""

import base64
import binascii
import json

from runtime.entities import PagedList
from runtime.errors import InvalidParameter


def encode_token(offset):
    """The token for the page that starts at ``offset`` (a non-negative int)."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"page offset must be a non-negative integer, got {offset!r}")
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode("utf-8")).decode("ascii")


def _invalid(detail):
    return InvalidParameter(f"Invalid page token: {detail}")


def decode_token(token):
    """The offset a token stands for; 0 for None or an empty token."""
    if token is None or token == "":
        return 0
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise _invalid("not base64 text") from None
    if not isinstance(token, str):
        raise _invalid(f"expected a string, got {type(token).__name__}")
    standard = token.replace("-", "+").replace("_", "/")
    standard += "=" * (-len(standard) % 4)
    try:
        data = json.loads(base64.b64decode(standard, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid(f"{token!r} could not be decoded") from None
    if not isinstance(data, dict) or set(data) != {"offset"}:
        raise _invalid(f"{token!r} does not hold an offset")
    offset = data["offset"]
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise _invalid(f"{token!r} holds an offset that is not a non-negative integer")
    return offset


def paginate(items, max_results, page_token):
    """One page of ``items`` (already filtered and sorted) starting where ``page_token`` says.

    The returned PagedList's token is None on the last page.
    """
    if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
        raise InvalidParameter(f"Invalid value {max_results!r} for max_results: expected a positive integer")
    offset = decode_token(page_token)
    items = list(items)
    end = offset + max_results
    token = encode_token(end) if end < len(items) else None
    return PagedList(items[offset:end], token)
