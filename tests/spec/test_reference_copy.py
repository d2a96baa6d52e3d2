"""The repository's copy of the reference facts must equal ../shared/reference when that exists."""

import pytest

from tests.support.reference import REFERENCE_DIR, SHARED_REFERENCE_DIR

SHARED_FILES = sorted(p.name for p in SHARED_REFERENCE_DIR.iterdir()) if SHARED_REFERENCE_DIR.is_dir() else []


def test_every_reference_file_is_in_the_repository():
    assert (REFERENCE_DIR / "mlflow-cli.json").is_file()
    for name in SHARED_FILES:
        assert (REFERENCE_DIR / name).is_file(), f"{name} is in ../shared/reference but not in tests/data/reference"


@pytest.mark.parametrize("name", SHARED_FILES)
def test_repository_copy_equals_shared_copy(name):
    assert (REFERENCE_DIR / name).read_bytes() == (SHARED_REFERENCE_DIR / name).read_bytes(), (
        f"tests/data/reference/{name} differs from ../shared/reference/{name}: copy it again"
    )
