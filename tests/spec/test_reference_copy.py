"""The repository's copy of the reference facts must equal ../shared/reference when that exists."""

import pytest

from tests.support.reference import SHARED_REFERENCE_DIR, reference_file

SHARED_FILES = sorted(p.name for p in SHARED_REFERENCE_DIR.iterdir()) if SHARED_REFERENCE_DIR.is_dir() else []


def test_every_reference_file_is_in_the_repository():
    assert reference_file("mlflow-cli.json").is_file()
    assert reference_file("mlflow-rest.json").is_file()
    for name in SHARED_FILES:
        assert reference_file(name).is_file(), f"{name} is in ../shared/reference but not in the repository"


@pytest.mark.parametrize("name", SHARED_FILES)
def test_repository_copy_equals_shared_copy(name):
    assert reference_file(name).read_bytes() == (SHARED_REFERENCE_DIR / name).read_bytes(), (
        f"{reference_file(name)} differs from ../shared/reference/{name}: copy it again"
    )
