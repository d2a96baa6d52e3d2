"""Run by the real mlflow 3.17.2 client against `mlf server` (MLFLOW_TRACKING_URI): a trace logged just
now is linked to a run (link_traces_to_run) and found by the run. Prints one JSON line."""

import json

import mlflow
from mlflow import MlflowClient

client = MlflowClient()
experiment_id = client.create_experiment("links")
mlflow.set_experiment(experiment_id=experiment_id)
run = client.create_run(experiment_id)

with mlflow.start_span(name="answer") as span:
    span.set_inputs({"q": "hi"})
    span.set_outputs({"a": "hello"})
trace_id = span.trace_id
mlflow.flush_trace_async_logging()

client.link_traces_to_run([trace_id], run.info.run_id)
client.link_traces_to_run([trace_id], run.info.run_id)  # linking twice is harmless
found = client.search_traces(locations=[experiment_id], run_id=run.info.run_id)
others = client.search_traces(locations=[experiment_id], run_id=client.create_run(experiment_id).info.run_id)
print(json.dumps({"trace_id": trace_id, "run_id": run.info.run_id, "found": [t.info.trace_id for t in found],
                  "others": [t.info.trace_id for t in others]}))
