"""Characters str.isdigit() accepts but int() does not ("²", "³"): never a crash outside the filter parser either."""

import pytest

from runtime.errors import InvalidParameter
from runtime.search.evaluate import experiment_id_sort_key
from runtime.tracing import timefmt
from runtime.tracing.extract import _step


def test_experiment_id_sort_key_of_a_superscript_digit_sorts_as_text():
    assert experiment_id_sort_key("²") == (1, 0, "²")


@pytest.mark.parametrize("text", ["²", "-³"])
def test_timestamp_of_superscript_digits_is_invalid(text):
    with pytest.raises(InvalidParameter):
        timefmt.timestamp_to_ms(text)


def test_field_path_with_a_superscript_index_selects_nothing():
    assert _step(["a", "b", "c"], "²") == []
