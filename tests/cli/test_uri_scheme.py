"""Which store a URI picks: its own scheme, or the file store for plain paths."""

import pytest

from runtime.tracking_uri import uri_scheme
from tests.cli.helpers import mlf


@pytest.mark.parametrize("uri, scheme", [
    ("runs:/0123/model", "runs"), ("models:/m/1", "models"), ("s3://bucket/key", "s3"),
    ("/tmp/mlruns", "file"), ("./mlruns", "file"), ("mlruns", "file"), ("file:///tmp/a%20b", "file"),
    ("C:/mlruns", "file"), ("sqlite:///mlf.db", "sqlite"), ("postgresql+psycopg://u@h/db", "postgresql"),
    ("HTTPS://host", "https"),
])
def test_uri_scheme(uri, scheme):
    assert uri_scheme(uri) == scheme


def test_a_uri_of_another_kind_is_refused_not_taken_for_a_folder(tmp_path):
    """runs:/x used to be read as a relative path: a folder named 'runs:' appeared in the cwd."""
    result = mlf("experiments", "search", tracking_uri="runs:/x", cwd=tmp_path)
    assert result.returncode == 1 and "Unsupported tracking URI 'runs:/x'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_uri_names_the_same_folder_for_projects_and_stores():
    """file:///tmp/a%20b was '/tmp/a%20b' for projects but '/tmp/a b' for the stores."""
    from runtime.projects.fetch import local_path
    from runtime.tracking_uri import local_path_from_uri

    assert local_path("file:///tmp/a%20b") == local_path_from_uri("file:///tmp/a%20b") == "/tmp/a b"
