"""Where scripts read the CLI's output, mlf prints and places what the real mlflow 3.17.2 CLI does.

Both CLIs run on one file store: `runs describe` must print the same JSON, and
`artifacts download` must put files at the same places and print the same paths.
"""

import json
import os
import re
import subprocess

import pytest

from tests.cli.helpers import mlf
from tests.support.mlflow_venv import mlflow_python


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


DOWNLOADS = [
    ["-a", "dir/sub"],
    ["-a", "file.txt"],
    ["-a", "dir"],
    [],
    ["-u", "runs:/{run_id}/dir/sub/f.txt"],
    ["-u", "runs:/{run_id}/dir"],
]

# Runs mlflow's own click CLI several times in one process (each fresh `mlflow` start costs seconds).
MLFLOW_SCRIPT = """
import json, sys
from click.testing import CliRunner
from mlflow.cli import cli
outputs = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    outputs.append(result.stdout)
print(json.dumps(outputs))
"""


def download_args(how, run_id):
    args = [a.format(run_id=run_id) for a in how]
    return ["-r", run_id, *args] if not args or args[0] == "-a" else args


def mlflow_cli_outputs(invocations, tracking_uri):
    env = dict(os.environ, MLFLOW_TRACKING_URI=f"file://{tracking_uri}", MLFLOW_ALLOW_FILE_STORE="true")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([mlflow_python(), "-c", MLFLOW_SCRIPT, json.dumps(invocations)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def logged_run(tmp_path_factory):
    """A run with tags and a small folder tree of artifacts, and what mlflow's CLI printed for it:
    (store path, run id, work folder, [describe output, download outputs...])."""
    root = tmp_path_factory.mktemp("cli-shapes")
    store = root / "mlruns"
    out = _ok(mlf("experiments", "create", "-n", "shapes", tracking_uri=store))
    experiment_id = re.search(r"with id (\S+)", out).group(1)
    out = _ok(mlf("runs", "create", "--experiment-id", experiment_id, "--run-name", "r", "-t", "team=a",
                  tracking_uri=store))
    run_id = re.search(r"with id ([0-9a-f]{32})", out).group(1)
    source = root / "src"
    (source / "dir" / "sub").mkdir(parents=True)
    (source / "dir" / "sub" / "f.txt").write_text("f")
    (source / "dir" / "top.txt").write_text("top")
    (source / "file.txt").write_text("file")
    _ok(mlf("artifacts", "log-artifacts", "-l", source, "-r", run_id, tracking_uri=store))
    invocations = [["runs", "describe", "--run-id", run_id]]
    invocations += [["artifacts", "download", *download_args(how, run_id), "-d", str(root / "mlflow" / str(i))]
                    for i, how in enumerate(DOWNLOADS)]
    outputs = mlflow_cli_outputs(invocations, store)
    return store, run_id, root, outputs


def test_runs_describe_prints_mlflows_json(logged_run):
    store, run_id, _, outputs = logged_run
    ours = json.loads(_ok(mlf("runs", "describe", "--run-id", run_id, "--output", "json", tracking_uri=store)))
    theirs = json.loads(outputs[0])
    assert ours == theirs
    assert list(ours) == list(theirs) and list(ours["info"]) == list(theirs["info"])
    assert ours["data"]["tags"]["team"] == "a"


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("index", range(len(DOWNLOADS)), ids=[" ".join(h) or "whole-run" for h in DOWNLOADS])
def test_artifacts_download_places_files_where_mlflow_does(logged_run, tmp_path, index):
    store, run_id, root, outputs = logged_run
    theirs = root / "mlflow" / str(index)
    ours = tmp_path / "mlf"
    printed = _ok(mlf("artifacts", "download", *download_args(DOWNLOADS[index], run_id), "-d", ours,
                      tracking_uri=store)).strip()
    assert _tree(ours) == _tree(theirs)
    assert os.path.relpath(printed, ours) == os.path.relpath(outputs[index + 1].strip(), theirs)
