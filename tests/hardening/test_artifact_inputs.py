"""Artifact locations and uploads a client can send that no file system can take: a clear 400, nothing written."""

import pytest

from runtime.errors import InvalidParameter
from runtime.store.factory import get_tracking_store
from tests.hardening.conftest import assert_refused
from tests.server.conftest import api, make_client

NUL_LOCATIONS = ["file:///etc%00", "file:///tmp/a%2500b", "/tmp/a\x00b", "s3://bucket/a%00b"]


def experiment_names(client):
    return sorted(e["name"] for e in client.post(api("/experiments/search"), json={"max_results": 100}).json()["experiments"])


@pytest.mark.parametrize("location", NUL_LOCATIONS)
def test_rest_experiment_artifact_location_with_a_nul_is_a_400(client, location):
    response = client.post(api("/experiments/create"), json={"name": "nul", "artifact_location": location})
    assert "NUL" in assert_refused(response)
    assert experiment_names(client) == ["Default"]


@pytest.mark.parametrize("kind", ["file", "sqlite"])
@pytest.mark.parametrize("location", NUL_LOCATIONS)
def test_store_experiment_artifact_location_with_a_nul_is_refused(tmp_path, kind, location):
    uri = str(tmp_path / "mlruns") if kind == "file" else f"sqlite:///{tmp_path / 'mlf.db'}"
    store = get_tracking_store(uri, str(tmp_path / "artifacts"))
    with pytest.raises(InvalidParameter, match="NUL"):
        store.create_experiment("nul", artifact_location=location)
    assert [e.name for e in store.search_experiments()] == ["Default"]


UNWRITABLE_PATHS = {
    "a file name of 300 characters": "x" * 300 + ".txt",
    "a file name of 200 two-byte characters": "é" * 200,
    "a path 1,000 directories deep": "d/" * 1000 + "f.txt",
    "a path of 30 names of 200 characters": "/".join(["d" * 200] * 30) + "/f",
}


@pytest.mark.parametrize("name", sorted(UNWRITABLE_PATHS))
def test_artifact_upload_the_file_system_cannot_take_is_a_400(tmp_path, name):
    test_client, _ = make_client(tmp_path, "sqlite")
    with test_client as client:
        response = client.put("/api/2.0/mlflow-artifacts/artifacts/" + UNWRITABLE_PATHS[name], content=b"payload")
        assert_refused(response)
    root = tmp_path / "mlartifacts"
    assert not root.exists() or not any(root.rglob("*"))


def test_artifact_upload_at_the_limits_is_kept(tmp_path):
    path = "/".join(["d"] * 99) + "/" + "f" * 255
    test_client, _ = make_client(tmp_path, "sqlite")
    with test_client as client:
        assert client.put("/api/2.0/mlflow-artifacts/artifacts/" + path, content=b"payload").status_code == 200
    assert (tmp_path / "mlartifacts" / path).read_bytes() == b"payload"
