"""Run by the real mlflow 3.17.2 client against `mlf server` (MLFLOW_TRACKING_URI): the GenAI evaluation
dataset calls (mlflow.genai.datasets). Prints one JSON line of what it saw."""

import json

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.genai import datasets

client = MlflowClient()
first = client.create_experiment("eval-one")
second = client.create_experiment("eval-two")
seen = {}

dataset = datasets.create_dataset(name="qa", experiment_id=first, tags={"team": "search", "mlflow.user": "ana"})
seen["created"] = {"name": dataset.name, "tags": dataset.tags, "created_by": dataset.created_by,
                   "experiment_ids": dataset.experiment_ids, "digest_len": len(dataset.digest)}

dataset.merge_records([
    {"inputs": {"question": "refund?"}, "expectations": {"answer": "30 days"}},
    {"inputs": {"question": "shipping?"}, "outputs": "2 days", "tags": {"lang": "en"}},
])
# The same inputs again: merged into the existing record, not a new one.
dataset.merge_records([{"inputs": {"question": "refund?"}, "expectations": {"tone": "polite"}}])

again = datasets.get_dataset(dataset_id=dataset.dataset_id)
records = sorted(again._mlflow_dataset.records, key=lambda r: r.inputs["question"])
# The client tags each record with mlflow.user (the local login): leave it out of what we compare.
seen["records"] = [{"inputs": r.inputs, "outputs": r.outputs, "expectations": r.expectations,
                    "tags": {k: v for k, v in (r.tags or {}).items() if k != "mlflow.user"}} for r in records]
seen["record_user_tag"] = all("mlflow.user" in r.tags for r in records)
seen["profile"] = json.loads(again.profile)
seen["schema_inputs"] = json.loads(again.schema)["inputs"]
seen["by_name"] = datasets.get_dataset(name="qa").dataset_id == dataset.dataset_id

datasets.set_dataset_tags(dataset.dataset_id, {"stage": "gold"})
datasets.delete_dataset_tag(dataset.dataset_id, "team")
seen["tags_after"] = datasets.get_dataset(dataset_id=dataset.dataset_id).tags

datasets.add_dataset_to_experiments(dataset.dataset_id, [second])
seen["linked"] = sorted(datasets.get_dataset(dataset_id=dataset.dataset_id).experiment_ids)
seen["search_second"] = [d.name for d in datasets.search_datasets(experiment_ids=[second])]
datasets.remove_dataset_from_experiments(dataset.dataset_id, [first])
seen["search_first"] = [d.name for d in datasets.search_datasets(experiment_ids=[first])]
seen["search_tag"] = [d.name for d in datasets.search_datasets(filter_string="tags.stage = 'gold'")]

try:
    datasets.add_dataset_to_experiments(dataset.dataset_id, ["987654"])
    seen["missing_experiment"] = None
except MlflowException as exc:
    seen["missing_experiment"] = [exc.error_code, exc.message]

deleted = again.delete_records([records[0].dataset_record_id])
seen["deleted_records"] = deleted

datasets.delete_dataset(dataset_id=dataset.dataset_id)
try:
    datasets.get_dataset(dataset_id=dataset.dataset_id)
    seen["after_delete"] = None
except MlflowException as exc:
    seen["after_delete"] = exc.error_code
print(json.dumps(seen))
