"""The real MLflow client logs a folder and a file through MLFLOW_TRACKING_URI, then downloads them.

Run with the pinned mlflow venv's python:  artifacts_roundtrip.py SOURCE_DIR DOWNLOAD_DIR [SINGLE_FILE]
SOURCE_DIR is logged as "tree", SINGLE_FILE (if given) at the root. Everything is downloaded into
DOWNLOAD_DIR; the last stdout line is JSON: run and experiment ids and what list_artifacts saw.
"""

import json
import sys

import mlflow
from mlflow import MlflowClient


def main():
    source, download_dir = sys.argv[1], sys.argv[2]
    single = sys.argv[3] if len(sys.argv) > 3 else None
    client = MlflowClient()
    experiment_id = client.create_experiment("s3-roundtrip")
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    client.log_artifacts(run_id, source, artifact_path="tree")
    if single:
        client.log_artifact(run_id, single)
    listed = sorted(f.path for f in client.list_artifacts(run_id)) + sorted(
        f.path for f in client.list_artifacts(run_id, "tree"))
    client.set_terminated(run_id)
    local = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=download_dir)
    print(json.dumps({"run_id": run_id, "experiment_id": experiment_id, "artifact_uri": run.info.artifact_uri,
                      "listed": listed, "local": local}))


if __name__ == "__main__":
    main()
