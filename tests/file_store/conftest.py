import pytest

from runtime.store.file.store import FileStore


@pytest.fixture
def root(tmp_path):
    return tmp_path / "mlruns"


@pytest.fixture
def store(root):
    return FileStore(str(root))
