"""The runs table reads only the keys its columns show."""

from runtime.ui.runs_view import PARENT_TAG, SOURCE_TAG, keys_to_read


def test_picked_columns_become_key_lists():
    columns = ["attributes.start_time", "attributes.source", "metrics.acc", "params.lr", "tags.team", "metrics.a.b"]
    assert keys_to_read(columns) == {"metric_keys": ["acc", "a.b"], "param_keys": ["lr"],
                                     "tag_keys": [PARENT_TAG, SOURCE_TAG, "team"]}


def test_default_columns_read_every_metric_key_and_no_params():
    assert keys_to_read(None) == {"metric_keys": None, "param_keys": [], "tag_keys": [PARENT_TAG]}
