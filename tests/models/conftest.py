"""Models saved by the real MLflow 3.17.2 (in its own venv), and a live `mlf models serve`.

The session fixture `mlflow_models` saves one scikit-learn classifier in every
serialization format (skops, cloudpickle, pickle), one with predict_fn
predict_proba and one without a signature, and records what MLflow's own pyfunc
predicts for a sample of rows: the ground truth every mlf path must match.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.live_server import LiveServer
from tests.support.mlflow_venv import mlflow_python

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("skops", "cloudpickle", "pickle")

_SAVE_SCRIPT = r"""
import json, sys
import mlflow.pyfunc, mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
X, y = load_iris(return_X_y=True, as_frame=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
sample = X.iloc[::7]
signature = infer_signature(X, model.predict(X))
expected = {}
for fmt in ("skops", "cloudpickle", "pickle"):
    path = f"{out}/sk_{fmt}"
    mlflow.sklearn.save_model(model, path, serialization_format=fmt, signature=signature, input_example=X.head(3))
    expected[fmt] = mlflow.pyfunc.load_model(path).predict(sample).tolist()
mlflow.sklearn.save_model(model, f"{out}/sk_proba", serialization_format="skops",
                          signature=infer_signature(X, model.predict_proba(X)), pyfunc_predict_fn="predict_proba")
expected["proba"] = mlflow.pyfunc.load_model(f"{out}/sk_proba").predict(sample).tolist()
mlflow.sklearn.save_model(model, f"{out}/sk_nosig", serialization_format="skops")
expected["nosig"] = mlflow.pyfunc.load_model(f"{out}/sk_nosig").predict(sample.to_numpy()).tolist()
with open(f"{out}/expected.json", "w") as handle:
    json.dump({"columns": list(sample.columns), "rows": sample.values.tolist(), "predictions": expected}, handle)
"""


class MlflowModels:
    def __init__(self, root):
        self.root = Path(root)
        data = json.loads((self.root / "expected.json").read_text())
        self.columns = data["columns"]
        self.rows = data["rows"]
        self.expected = data["predictions"]

    def path(self, name):
        return str(self.root / name)

    def records(self):
        return [dict(zip(self.columns, row)) for row in self.rows]

    def frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def csv_text(self):
        return self.frame().to_csv(index=False)

    def payloads(self):
        """Every input format of the scoring protocol for the sample rows: name -> (content type, body)."""
        records = self.records()
        columns = {c: [row[i] for row in self.rows] for i, c in enumerate(self.columns)}
        bodies = {
            "dataframe_split": {"dataframe_split": {"columns": self.columns, "data": self.rows}},
            "dataframe_split_index": {"dataframe_split": {"columns": self.columns, "data": self.rows,
                                                          "index": list(range(len(self.rows)))}},
            "dataframe_records": {"dataframe_records": records},
            "instances": {"instances": records},
            "inputs_columns": {"inputs": columns},
            "inputs_records": {"inputs": records},
            "with_params": {"dataframe_split": {"columns": self.columns, "data": self.rows}, "params": {"x": 1}},
        }
        out = {name: ("json", json.dumps(body)) for name, body in bodies.items()}
        out["csv"] = ("csv", self.csv_text())
        return out


@pytest.fixture(scope="session")
def mlflow_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow-models")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    completed = subprocess.run([mlflow_python(), "-c", _SAVE_SCRIPT, str(root)], capture_output=True, text=True,
                               env=environment, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return MlflowModels(root)


def mlf_env(extra=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLF_"))}
    environment["PYTHONPATH"] = str(ROOT) + os.pathsep + environment.get("PYTHONPATH", "")
    environment.update(extra or {})
    return environment


def run_mlf(*args, env=None, input_text=None, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "runtime", *map(str, args)], capture_output=True, text=True,
                          env=mlf_env(env), input=input_text, cwd=cwd, timeout=timeout)


class ModelServer(LiveServer):
    """`mlf models serve` as a real process on a free port."""

    def __init__(self, model_uri, extra_args=(), env=None, wait_path="/ping"):
        super().__init__(backend_store_uri=None, extra_args=extra_args, env=env, wait_path=wait_path)
        self.model_uri = model_uri

    def command(self):
        return [sys.executable, "-m", "runtime", "models", "serve", "-m", str(self.model_uri), "--host", "127.0.0.1",
                "--port", str(self.port), *self.extra_args]


@pytest.fixture(scope="module")
def skops_server(mlflow_models):
    """One scoring server for the module, with a small body limit to test 413s."""
    with ModelServer(mlflow_models.path("sk_skops"), ["--env-manager", "local"],
                     env={"MLF_SCORING_SERVER_MAX_BODY_SIZE": "200000"}) as server:
        yield server
