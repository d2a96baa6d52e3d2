"""Log, register and load a model with the real MLflow client against MLFLOW_TRACKING_URI.

Run by tests/registry/test_real_client.py with the pinned mlflow venv's python.
Asserts as it goes and prints a JSON summary on the last line of stdout.
"""

import json
import sys

import mlflow
import numpy as np
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression


def main():
    model_name = sys.argv[1]
    client = MlflowClient()
    mlflow.set_experiment(f"{model_name}-exp")
    features = np.array([[0.0, 1.0], [1.0, 0.0], [0.9, 0.1], [0.1, 0.8], [0.5, 0.4], [0.2, 0.9]])
    labels = np.array([0, 1, 1, 0, 1, 0])
    classifier = LogisticRegression().fit(features, labels)

    with mlflow.start_run() as run:
        mlflow.log_param("C", 1.0)
        info = mlflow.sklearn.log_model(classifier, name="model", input_example=features[:2],
                                        pip_requirements=["scikit-learn"])
        mlflow.log_metric("accuracy", 1.0, step=0, model_id=info.model_id)

    logged = client.get_logged_model(info.model_id)
    assert logged.status == "READY" or str(logged.status).endswith("READY"), logged.status
    assert logged.source_run_id == run.info.run_id
    assert logged.artifact_location.startswith("mlflow-artifacts:/"), logged.artifact_location
    assert [m.key for m in logged.metrics] == ["accuracy"], logged.metrics
    found = mlflow.search_logged_models(experiment_ids=[run.info.experiment_id], filter_string="metrics.accuracy > 0.5",
                                        output_format="list")
    assert [m.model_id for m in found] == [info.model_id], found

    version = mlflow.register_model(info.model_uri, model_name)
    assert version.version == "1", version
    assert version.run_id == run.info.run_id, version
    client.set_registered_model_alias(model_name, "champion", version.version)
    client.set_model_version_tag(model_name, version.version, "validated", "yes")
    client.update_registered_model(model_name, description="e2e model")
    by_alias = client.get_model_version_by_alias(model_name, "champion")
    assert by_alias.version == "1" and by_alias.aliases == ["champion"], by_alias
    assert by_alias.tags == {"validated": "yes"}, by_alias.tags

    loaded = mlflow.pyfunc.load_model(f"models:/{model_name}@champion")
    predictions = [int(p) for p in loaded.predict(features)]
    assert predictions == [int(p) for p in classifier.predict(features)], predictions
    by_version = mlflow.sklearn.load_model(f"models:/{model_name}/1")
    assert [int(p) for p in by_version.predict(features)] == predictions

    second = client.create_model_version(model_name, info.model_uri.replace("models:/", "models:/"),
                                         run_id=run.info.run_id, model_id=info.model_id)
    client.transition_model_version_stage(model_name, second.version, "Production", archive_existing_versions=True)
    latest = client.get_latest_versions(model_name, stages=["Production"])
    assert [v.version for v in latest] == ["2"], latest
    registered = client.get_registered_model(model_name)
    assert registered.description == "e2e model" and registered.aliases == {"champion": "1"}, registered
    assert [m.name for m in client.search_registered_models(f"name = '{model_name}'")] == [model_name]
    assert sorted(v.version for v in client.search_model_versions(f"name = '{model_name}'")) == ["1", "2"]
    uri = client.get_model_version_download_uri(model_name, "1")
    assert uri == logged.artifact_location, (uri, logged.artifact_location)

    client.delete_registered_model_alias(model_name, "champion")
    client.delete_model_version(model_name, "2")
    assert [v.version for v in client.search_model_versions(f"name = '{model_name}'")] == ["1"]
    print(json.dumps({"model_id": info.model_id, "run_id": run.info.run_id, "download_uri": uri,
                      "experiment_id": run.info.experiment_id, "predictions": predictions}))


if __name__ == "__main__":
    main()
