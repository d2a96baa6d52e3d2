import pytest

from runtime.store.file_store import FileStore


@pytest.fixture
def root(tmp_path):
    return tmp_path / "mlruns"


@pytest.fixture
def store(root):
    return FileStore(str(root))
