"""Run by the real mlflow 3.17.2 client against `mlf server` (MLFLOW_TRACKING_URI): the endpoint behaviours
this client has calls for. Prints one JSON line of what it saw; asserts what it can itself."""

import json

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

client = MlflowClient()
experiment_id = client.create_experiment("client-endpoints")
mlflow.set_experiment(experiment_id=experiment_id)
seen = {}

# A model version of a logged model is recorded on the model's mlflow.modelVersions tag (by the server).
model = client.create_logged_model(experiment_id, name="m")
client.create_registered_model("reg")
client.create_model_version("reg", source=f"models:/{model.model_id}", model_id=model.model_id)
seen["model_versions_tag"] = json.loads(client.get_logged_model(model.model_id).tags["mlflow.modelVersions"])

# MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX is set on the server to ^models:/
try:
    client.create_model_version("reg", source="s3://elsewhere/model")
    seen["regex_refusal"] = None
except MlflowException as exc:
    seen["regex_refusal"] = exc.message

# trace.text searches the spans' content.
with mlflow.start_span(name="outer") as span:
    span.set_inputs({"question": "where is my refund"})
    span.set_outputs({"answer": "on its way"})
with mlflow.start_span(name="other") as span:
    span.set_inputs({"question": "shipping"})
if hasattr(mlflow, "flush_trace_async_logging"):
    mlflow.flush_trace_async_logging()
found = mlflow.search_traces(locations=[experiment_id], filter_string="trace.text ILIKE '%refund%'",
                             return_type="list")
seen["text_matches"] = [t.data.spans[0].name for t in found]

# Metric history through the client, then the same run's GraphQL view is checked by the test.
with mlflow.start_run() as run:
    mlflow.log_metric("loss", 0.5, step=1)
    mlflow.log_metric("loss", float("nan"), step=2)
seen["run_id"] = run.info.run_id
seen["experiment_id"] = experiment_id

# Updating an assessment with a new name (the client puts assessment_name in the update mask).
from mlflow.entities import Feedback  # noqa: E402

trace_id = found[0].info.trace_id
logged = mlflow.log_feedback(trace_id=trace_id, name="quality", value=0.5)
updated = mlflow.update_assessment(trace_id=trace_id, assessment_id=logged.assessment_id,
                                   assessment=Feedback(name="relevance", value=0.9))
fetched = mlflow.get_assessment(trace_id, logged.assessment_id)
seen["assessment"] = [fetched.name, fetched.value]
print(json.dumps(seen))
