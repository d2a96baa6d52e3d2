"""GenAI evaluation dataset routes (/api/3.0/mlflow/datasets/...), as mlflow serves them.

Tags and records travel as JSON text inside the JSON body (``"tags": "{...}"``,
``"records": "[...]"``), as mlflow's protocol has them. A backend without
evaluation datasets (the file store) answers FEATURE_DISABLED, as mlflow's does.
"""

import json

from runtime.errors import InvalidParameter
from runtime.server.routing import require, rpc_table_routes
from runtime.store.contract.datasets import EvaluationDatasetStore
from runtime.store.contract.sql_only import store_with

SERVICE = "mlflow.MlflowService."
RPCS = {  # search before get: GET /datasets/search must not be read as a dataset id
    "searchEvaluationDatasets": "search_datasets",
    "createDataset": "create_dataset",
    "getDataset": "get_dataset",
    "deleteDataset": "delete_dataset",
    "setDatasetTags": "set_dataset_tags",
    "deleteDatasetTag": "delete_dataset_tag",
    "upsertDatasetRecords": "upsert_dataset_records",
    "getDatasetRecords": "get_dataset_records",
    "deleteDatasetRecords": "delete_dataset_records",
    "getDatasetExperimentIds": "get_dataset_experiment_ids",
    "addDatasetToExperiments": "add_dataset_to_experiments",
    "removeDatasetFromExperiments": "remove_dataset_from_experiments",
}


def _json_text(body, name, required=False):
    """The JSON value carried as text in field name (None when absent and optional)."""
    text = require(body, name) if required else body.get(name)
    if text in (None, ""):
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        raise InvalidParameter(f"Invalid value \"{text}\" for parameter '{name}' supplied: expected JSON text") from None


def _id_list(body, name):
    values = body.get(name) or []
    return [str(value) for value in (values if isinstance(values, list) else [values])]


class DatasetHandlers:
    def __init__(self, ctx):
        self.ctx = ctx

    def store(self, operation):
        return store_with(self.ctx.tracking_store, EvaluationDatasetStore, operation)

    def create_dataset(self, body, request):
        name = require(body, "name")
        dataset = self.store("create_dataset").create_dataset(
            name, tags=_json_text(body, "tags"), experiment_ids=_id_list(body, "experiment_ids") or None)
        return {"dataset": dataset}

    def get_dataset(self, body, request):
        return {"dataset": self.store("get_dataset").get_dataset(require(body, "dataset_id"))}

    def delete_dataset(self, body, request):
        self.store("delete_dataset").delete_dataset(require(body, "dataset_id"))

    def search_datasets(self, body, request):
        page = self.store("search_datasets").search_datasets(
            experiment_ids=_id_list(body, "experiment_ids") or None, filter_string=body.get("filter_string") or None,
            max_results=body.get("max_results") or None, order_by=_id_list(body, "order_by") or None,
            page_token=body.get("page_token") or None)
        answer = {"datasets": list(page)} if page else {}
        if page.token:
            answer["next_page_token"] = page.token
        return answer

    def set_dataset_tags(self, body, request):
        tags = _json_text(body, "tags", required=True)
        self.store("set_dataset_tags").set_dataset_tags(require(body, "dataset_id"), tags)

    def delete_dataset_tag(self, body, request):
        self.store("delete_dataset_tag").delete_dataset_tag(require(body, "dataset_id"), require(body, "key"))

    def upsert_dataset_records(self, body, request):
        new_records = _json_text(body, "records", required=True)
        inserted, updated = self.store("upsert_dataset_records").upsert_dataset_records(
            require(body, "dataset_id"), new_records)
        return {"inserted_count": inserted, "updated_count": updated}

    def get_dataset_records(self, body, request):
        found, token = self.store("_load_dataset_records").get_dataset_records(
            require(body, "dataset_id"), max_results=body.get("max_results") or None,
            page_token=body.get("page_token") or None)
        answer = {"records": json.dumps(found)}
        if token:
            answer["next_page_token"] = token
        return answer

    def delete_dataset_records(self, body, request):
        deleted = self.store("delete_dataset_records").delete_dataset_records(
            require(body, "dataset_id"), _id_list(body, "dataset_record_ids"))
        return {"deleted_count": deleted}

    def get_dataset_experiment_ids(self, body, request):
        found = self.store("get_dataset_experiment_ids").get_dataset_experiment_ids(require(body, "dataset_id"))
        return {"experiment_ids": found} if found else {}

    def add_dataset_to_experiments(self, body, request):
        dataset = self.store("add_dataset_to_experiments").add_dataset_to_experiments(
            require(body, "dataset_id"), _id_list(body, "experiment_ids"))
        return {"dataset": dataset}

    def remove_dataset_from_experiments(self, body, request):
        dataset = self.store("remove_dataset_from_experiments").remove_dataset_from_experiments(
            require(body, "dataset_id"), _id_list(body, "experiment_ids"))
        return {"dataset": dataset}


def routes(ctx):
    return rpc_table_routes(SERVICE, RPCS, DatasetHandlers(ctx))
