"""GenAI evaluation datasets (/api/3.0/mlflow/datasets/...) through a live `mlf server`:
the real mlflow 3.17.2 client on sqlite, raw requests for shapes and errors, the file store's refusal."""

import json

import pytest
import requests

from tests.endpoints.client_script import run_client_script
from tests.server.live_server import LiveServer

API = "/api/3.0/mlflow/datasets"


def test_real_client_manages_evaluation_datasets(tmp_path):
    with LiveServer(f"sqlite:///{tmp_path / 'mlf.db'}", tmp_path / "mlartifacts") as server:
        seen = run_client_script("client_datasets.py", server)
    assert seen["created"] == {"name": "qa", "tags": {"team": "search", "mlflow.user": "ana"}, "created_by": "ana",
                               "experiment_ids": ["1"], "digest_len": 8}
    assert seen["records"] == [
        {"inputs": {"question": "refund?"}, "outputs": {},  # absent outputs are stored as {}, as mlflow does
         "expectations": {"answer": "30 days", "tone": "polite"}, "tags": {}},
        {"inputs": {"question": "shipping?"}, "outputs": "2 days", "expectations": None, "tags": {"lang": "en"}},
    ]
    assert seen["record_user_tag"] is True
    assert seen["profile"] == {"num_records": 2}
    assert seen["schema_inputs"] == {"question": "string"}
    assert seen["by_name"] is True
    assert seen["tags_after"] == {"mlflow.user": "ana", "stage": "gold"}
    assert seen["linked"] == ["1", "2"]
    assert seen["search_second"] == ["qa"]
    assert seen["search_first"] == []
    assert seen["search_tag"] == ["qa"]
    assert seen["missing_experiment"] == ["RESOURCE_DOES_NOT_EXIST", "RESOURCE_DOES_NOT_EXIST: No Experiment with id=987654"]
    assert seen["deleted_records"] == 1
    assert seen["after_delete"] == "RESOURCE_DOES_NOT_EXIST"


@pytest.fixture(scope="module")
def sql_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("datasets")
    with LiveServer(f"sqlite:///{root / 'mlf.db'}", root / "mlartifacts") as server:
        yield server.url


def test_wire_shapes_and_errors(sql_server):
    created = requests.post(f"{sql_server}{API}/create", json={"name": "wire", "tags": json.dumps({"k": "v"})},
                            timeout=30)
    assert created.status_code == 200, created.text
    dataset = created.json()["dataset"]
    assert dataset["dataset_id"].startswith("d-") and json.loads(dataset["tags"]) == {"k": "v"}
    dataset_id = dataset["dataset_id"]

    upsert = requests.post(f"{sql_server}{API}/{dataset_id}/records",
                           json={"records": json.dumps([{"inputs": {"q": n}} for n in range(3)])}, timeout=30)
    assert upsert.json() == {"inserted_count": 3, "updated_count": 0}
    page = requests.get(f"{sql_server}{API}/{dataset_id}/records", params={"max_results": 2}, timeout=30).json()
    assert len(json.loads(page["records"])) == 2  # one upsert shares a created_time: ordered by record id
    rest = requests.get(f"{sql_server}{API}/{dataset_id}/records",
                        params={"max_results": 2, "page_token": page["next_page_token"]}, timeout=30).json()
    assert len(json.loads(rest["records"])) == 1 and "next_page_token" not in rest
    ids = {r["dataset_record_id"] for r in json.loads(page["records"]) + json.loads(rest["records"])}
    assert len(ids) == 3 and all(i.startswith("dr-") for i in ids)

    searched = requests.get(f"{sql_server}{API}/search", params={"filter_string": "name = 'wire'"}, timeout=30)
    assert [d["dataset_id"] for d in searched.json()["datasets"]] == [dataset_id]

    missing = requests.get(f"{sql_server}{API}/d-nothere", timeout=30)
    assert missing.status_code == 404
    assert missing.json() == {"error_code": "RESOURCE_DOES_NOT_EXIST",
                              "message": "Evaluation dataset with id 'd-nothere' not found"}
    no_name = requests.post(f"{sql_server}{API}/create", json={}, timeout=30)
    assert no_name.status_code == 400 and no_name.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    bad_records = requests.post(f"{sql_server}{API}/{dataset_id}/records", json={"records": "not json"}, timeout=30)
    assert bad_records.status_code == 400 and bad_records.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    bad_filter = requests.post(f"{sql_server}{API}/search", json={"filter_string": "bogus.x = 1"}, timeout=30)
    assert bad_filter.status_code == 400

    assert requests.delete(f"{sql_server}{API}/{dataset_id}", timeout=30).json() == {}
    assert requests.delete(f"{sql_server}{API}/{dataset_id}", timeout=30).status_code == 200  # idempotent


def test_file_store_refuses_as_mlflow_does(tmp_path):
    with LiveServer(str(tmp_path / "mlruns"), tmp_path / "mlartifacts") as server:
        answer = requests.post(f"{server.url}{API}/create", json={"name": "x"}, timeout=30)
    assert answer.status_code == 501
    body = answer.json()
    assert body["error_code"] == "FEATURE_DISABLED"
    assert body["message"].startswith("create_dataset is not supported with FileStore.")
