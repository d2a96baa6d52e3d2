"""MlflowArtifactsRepository through `mlf server`'s proxy: round trips, URI forms, streaming, progress."""

import io
import os
import tracemalloc

import pytest

from runtime.artifacts.http import MlflowArtifactsRepository, ProgressBar
from runtime.errors import InvalidParameter, NotFound
from runtime.server.config import ServerConfig
from tests.rest_store.threaded_server import ThreadedServer


@pytest.fixture
def server(tmp_path):
    config = ServerConfig(backend_store_uri=f"sqlite:///{tmp_path / 'mlf.db'}",
                          artifacts_destination=str(tmp_path / "dest"))
    with ThreadedServer(config) as running:
        running.destination = tmp_path / "dest"
        yield running


def make_tree(root):
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("alpha")
    (root / "sub" / "b.txt").write_text("beta")
    return root


@pytest.mark.parametrize("form", ["mlflow-artifacts", "mlflow-artifacts-with-host", "http"])
def test_round_trip_for_every_uri_form(server, tmp_path, form):
    host = server.url.split("://", 1)[1]
    uri = {
        "mlflow-artifacts": "mlflow-artifacts:/5/run1/artifacts",
        "mlflow-artifacts-with-host": f"mlflow-artifacts://{host}/5/run1/artifacts",
        "http": f"{server.url}/api/2.0/mlflow-artifacts/artifacts/5/run1/artifacts",
    }[form]
    repository = MlflowArtifactsRepository(uri, tracking_uri=server.url)
    repository.log_artifacts(str(make_tree(tmp_path / "src")), "data")
    single = tmp_path / "single file.txt"
    single.write_text("one")
    repository.log_artifact(str(single))
    on_disk = server.destination / "5" / "run1" / "artifacts"
    assert (on_disk / "data" / "sub" / "b.txt").read_text() == "beta"
    assert (on_disk / "single file.txt").read_text() == "one"
    top = repository.list_artifacts()
    assert [(i.path, i.is_dir, i.file_size) for i in top] == [("data", True, None), ("single file.txt", False, 3)]
    assert [i.path for i in repository.list_artifacts("data")] == ["data/a.txt", "data/sub"]
    copy = repository.download_artifacts("data", str(tmp_path / "dst"))
    assert open(os.path.join(copy, "sub", "b.txt")).read() == "beta"
    whole = repository.download_artifacts("", str(tmp_path / "all"))
    assert sorted(os.listdir(whole)) == ["data", "single file.txt"]
    assert repository.open_artifact("single file.txt").read() == b"one"
    repository.delete_artifacts("data/sub")
    assert [i.path for i in repository.list_artifacts("data")] == ["data/a.txt"]


def test_tracking_uri_with_a_prefix_is_kept(tmp_path):
    config = ServerConfig(backend_store_uri=f"sqlite:///{tmp_path / 'mlf.db'}",
                          artifacts_destination=str(tmp_path / "dest"), static_prefix="/mlflow")
    with ThreadedServer(config) as server:
        repository = MlflowArtifactsRepository("mlflow-artifacts:/1/r/artifacts", tracking_uri=server.url + "/mlflow")
        single = tmp_path / "f.txt"
        single.write_text("x")
        repository.log_artifact(str(single))
        assert (tmp_path / "dest" / "1" / "r" / "artifacts" / "f.txt").read_text() == "x"


def test_missing_files_and_bad_paths(server, tmp_path):
    repository = MlflowArtifactsRepository("mlflow-artifacts:/1/r/artifacts", tracking_uri=server.url)
    with pytest.raises(NotFound):
        repository.download_artifacts("nothing.txt", str(tmp_path / "dst"))
    single = tmp_path / "f.txt"
    single.write_text("x")
    for bad in ("../escape", "/abs", "a/../../b", "%2e%2e/x"):
        with pytest.raises(InvalidParameter):
            repository.log_artifact(str(single), bad)
    assert not (server.destination / "1" / "escape").exists()
    with pytest.raises(InvalidParameter, match="MLFLOW_TRACKING_URI"):
        MlflowArtifactsRepository("mlflow-artifacts:/1", tracking_uri="mlruns")


def test_large_files_stream_without_being_held_in_memory(server, tmp_path):
    size = 96 << 20
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        for _ in range(size >> 20):
            handle.write(os.urandom(1 << 20))
    repository = MlflowArtifactsRepository("mlflow-artifacts:/9/r/artifacts", tracking_uri=server.url)
    tracemalloc.start()
    try:
        repository.log_artifact(str(big))
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        repository.download_artifacts("big.bin", str(tmp_path / "dst"))
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Both sides of both transfers ran in this process: client and server together stay far below the file size.
    assert upload_peak < 24 << 20, upload_peak
    assert download_peak < 24 << 20, download_peak
    assert (server.destination / "9" / "r" / "artifacts" / "big.bin").stat().st_size == size
    assert (tmp_path / "dst" / "big.bin").stat().st_size == size


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_for_large_files():
    terminal = FakeTerminal()
    bar = ProgressBar("Uploading x", 200, stream=terminal, min_bytes=100)
    for _ in range(4):
        bar.update(50)
    bar.close()
    assert "100%" in terminal.getvalue() and "Uploading x" in terminal.getvalue()
    small = FakeTerminal()
    ProgressBar("tiny", 10, stream=small, min_bytes=100).update(10)
    assert small.getvalue() == ""
    pipe = io.StringIO()
    ProgressBar("piped", 1000, stream=pipe, min_bytes=100).update(1000)
    assert pipe.getvalue() == ""


def test_transfers_show_progress_on_a_terminal(server, tmp_path, monkeypatch):
    import runtime.artifacts.http as http

    terminal = FakeTerminal()
    monkeypatch.setattr(http.sys, "stderr", terminal)
    monkeypatch.setattr(http, "PROGRESS_MIN_BYTES", 1000)
    payload = tmp_path / "p.bin"
    payload.write_bytes(os.urandom(3 << 20))
    repository = MlflowArtifactsRepository("mlflow-artifacts:/2/r/artifacts", tracking_uri=server.url)
    repository.log_artifact(str(payload))
    repository.download_artifacts("p.bin", str(tmp_path / "dst"))
    text = terminal.getvalue()
    assert "Uploading p.bin" in text and "Downloading p.bin" in text and text.count("100%") == 2
    assert (tmp_path / "dst" / "p.bin").read_bytes() == payload.read_bytes()
