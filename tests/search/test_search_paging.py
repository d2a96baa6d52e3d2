"""Page tokens and pagination."""

import base64
import json

import pytest

from runtime.entities import PagedList
from runtime.errors import InvalidParameter
from runtime.search.paging import decode_token, encode_token, paginate


@pytest.mark.parametrize("offset", [0, 1, 7, 100, 49999, 10**12])
def test_round_trip(offset):
    token = encode_token(offset)
    assert isinstance(token, str)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
    assert decode_token(token) == offset


def test_token_is_base64_json_offset():
    assert json.loads(base64.urlsafe_b64decode(encode_token(42))) == {"offset": 42}


def test_mlflow_style_standard_base64_tokens_are_accepted():
    for offset in range(0, 3000, 7):  # some of these encode with '+' or '/'
        token = base64.b64encode(json.dumps({"offset": offset}).encode()).decode()
        assert decode_token(token) == offset
        assert decode_token(token.rstrip("=")) == offset


def test_empty_tokens_mean_the_first_page():
    assert decode_token(None) == 0
    assert decode_token("") == 0


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "abc$",
        "!!!!",
        b64("not json"),
        b64("[1, 2]"),
        b64('{"offset": -1}'),
        b64('{"offset": "5"}'),
        b64('{"offset": 1.5}'),
        b64('{"offset": true}'),
        b64('{"offset": null}'),
        b64('{"start": 5}'),
        b64('{"offset": 5, "extra": 1}'),
        b64("5"),
        base64.b64encode(b"\xff\xfe").decode(),
        " " + b64('{"offset": 5}'),
        12,
    ],
)
def test_bad_tokens_are_invalid_parameter(token):
    with pytest.raises(InvalidParameter, match="Invalid page token"):
        decode_token(token)


@pytest.mark.parametrize("offset", [-1, 1.0, "3", True, None])
def test_encode_rejects_non_offsets(offset):
    with pytest.raises(ValueError):
        encode_token(offset)


def test_paginate_walks_all_pages():
    items = list(range(23))
    seen, token, pages = [], None, 0
    while True:
        page = paginate(items, 5, token)
        assert isinstance(page, PagedList)
        assert len(page) <= 5
        seen.extend(page)
        pages += 1
        token = page.token
        if token is None:
            break
    assert seen == items
    assert pages == 5


def test_exact_multiple_has_no_empty_trailing_page():
    first = paginate(list(range(10)), 5, None)
    second = paginate(list(range(10)), 5, first.token)
    assert list(second) == [5, 6, 7, 8, 9]
    assert second.token is None


def test_single_page_and_empty_input():
    page = paginate(["a", "b"], 10, None)
    assert list(page) == ["a", "b"] and page.token is None
    empty = paginate([], 3, None)
    assert list(empty) == [] and empty.token is None


def test_offset_past_the_end_gives_an_empty_last_page():
    page = paginate(list(range(3)), 2, encode_token(50))
    assert list(page) == [] and page.token is None


def test_paginate_accepts_iterables():
    page = paginate(iter(range(4)), 3, None)
    assert list(page) == [0, 1, 2]
    assert decode_token(page.token) == 3


@pytest.mark.parametrize("max_results", [0, -1, 1.5, None, True])
def test_paginate_rejects_bad_max_results(max_results):
    with pytest.raises(InvalidParameter, match="max_results"):
        paginate([1], max_results, None)


def test_paginate_rejects_bad_token():
    with pytest.raises(InvalidParameter, match="Invalid page token"):
        paginate([1, 2, 3], 1, "garbage")
