"""s3:// model URIs: `mlf models predict` loads a model folder from S3, and
`mlf models update-pip-requirements` rewrites its files there."""

import json

from runtime.artifacts.repository import get_artifact_repository
from runtime.models.flavor_callable import save_callable
from tests.cli.helpers import mlf


def test_predict_and_update_requirements_of_a_model_in_s3(bucket, aws_env, tmp_path):
    import pandas as pd

    model_dir = save_callable(lambda data: (data["x"] * 2).tolist(), str(tmp_path / "double"),
                              input_example=pd.DataFrame({"x": [1.0]}), pip_requirements=["pandas"])
    get_artifact_repository(f"s3://{bucket}/models").log_artifacts(model_dir, "double")
    model_uri = f"s3://{bucket}/models/double"
    (tmp_path / "input.json").write_text(json.dumps({"dataframe_split": {"columns": ["x"], "data": [[1.5], [4.0]]}}))

    result = mlf("models", "predict", "-m", model_uri, "-i", tmp_path / "input.json", "--env-manager", "local",
                 env=aws_env.env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"predictions": [3.0, 8.0]}

    result = mlf("models", "update-pip-requirements", "-m", model_uri, "add", "scikit-learn==1.5.0", env=aws_env.env)
    assert result.returncode == 0, result.stderr
    body = aws_env.client().get_object(Bucket=bucket, Key="models/double/requirements.txt")["Body"].read().decode()
    assert "scikit-learn==1.5.0" in body.splitlines()

    result = mlf("models", "predict", "-m", f"s3://{bucket}/models/absent", "-i", tmp_path / "input.json",
                 "--env-manager", "local", env=aws_env.env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: No artifact at s3://{bucket}/models/absent"]
