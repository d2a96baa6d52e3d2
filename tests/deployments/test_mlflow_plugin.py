"""A plugin written against mlflow's own base class works through mlf when mlflow is importable.

mlf runs with the peer venv's interpreter (mlflow 3.17.2 importable) and the plugin installed
in a temporary folder on PYTHONPATH; the shared peer venv itself is not modified.
"""

import json
import os
import subprocess

import pytest

from tests.deployments.conftest import HERE, PROJECT_ROOT, install_plugin_project
from tests.support.mlflow_venv import mlflow_python


@pytest.fixture(scope="module")
def mlf_with_mlflow(tmp_path_factory):
    site = tmp_path_factory.mktemp("mlflow-style-plugin")
    install_plugin_project(HERE / "mlflowtarget", site)
    python = mlflow_python()

    def run(*args):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(PROJECT_ROOT)])}
        env.pop("MLF_DEBUG", None)
        return subprocess.run([python, "-m", "runtime", "deployments", *args], capture_output=True, text=True,
                              env=env, cwd=site, timeout=300)

    return run


@pytest.mark.slow
def test_mlflow_style_plugin(mlf_with_mlflow, tmp_path):
    listed = mlf_with_mlflow("list", "-t", "mlflowstyle:/x")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == "List of all deployments:\n[{'name': 'from-mlflow-style', 'target': 'mlflowstyle:/x'}]\n"
    (tmp_path / "rows.json").write_text(json.dumps({"a": [1, 2, 3], "b": [4, 5, 6]}))
    predicted = mlf_with_mlflow("predict", "-t", "mlflowstyle", "--name", "d", "-I", str(tmp_path / "rows.json"))
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout) == {"rows": 3, "columns": ["a", "b"]}
    deleted = mlf_with_mlflow("delete", "-t", "mlflowstyle", "--name", "d")
    assert (deleted.returncode, deleted.stderr) == (
        1, 'Error: delete failed on target "mlflowstyle": MlflowException: Deployment d is protected\n')
