"""`mlf run` as a real process on the committed example projects and a git repository made here."""

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.store.factory import get_tracking_store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


class Workspace:
    """A tracking store in a temp folder, and a place for the entry point's report."""

    def __init__(self, root):
        self.root = Path(root)
        self.store_uri = str(self.root / "mlruns")
        self.report_path = self.root / "report.json"

    def mlf(self, *args, env=None, cwd=None, timeout=300):
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLF_"))}
        environment["PYTHONPATH"] = str(ROOT) + os.pathsep + environment.get("PYTHONPATH", "")
        environment["MLFLOW_TRACKING_URI"] = self.store_uri
        environment["MLF_TEST_REPORT"] = str(self.report_path)
        environment.update(env or {})
        return subprocess.run([sys.executable, "-m", "runtime", "run", *map(str, args)], capture_output=True,
                              text=True, env=environment, cwd=cwd or self.root, timeout=timeout)

    def report(self):
        return json.loads(self.report_path.read_text())

    def store(self):
        return get_tracking_store(self.store_uri)

    def runs(self, experiment_id="0"):
        return list(self.store().search_runs([experiment_id]))

    def only_run(self, experiment_id="0"):
        (run,) = self.runs(experiment_id)
        return run


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path)


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n")
    return path


def test_parameters_defaults_extras_and_run_record(ws, data_file):
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "-P", "extra=7", "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    report = ws.report()
    assert report["argv"] == ["--alpha", "0.1", "--epochs", "3", "--label", "base line", "--data", str(data_file),
                              "--source", "s3://bucket/data", "--extra", "7"]
    assert report["cwd"] == str(FIXTURES / "params")
    run = ws.only_run()
    assert report["env"]["MLFLOW_RUN_ID"] == run.info.run_id
    assert report["env"]["MLFLOW_EXPERIMENT_ID"] == "0"
    assert report["env"]["MLFLOW_TRACKING_URI"] == ws.store_uri
    assert run.info.status == "FINISHED" and run.info.end_time >= run.info.start_time
    assert run.params == {"alpha": "0.1", "epochs": "3", "label": "base line", "data": str(data_file),
                          "source": "s3://bucket/data", "extra": "7"}
    tags = run.tags
    assert tags["mlflow.source.type"] == "PROJECT"
    assert tags["mlflow.project.entryPoint"] == "main"
    assert tags["mlflow.project.backend"] == "local"
    assert tags["mlflow.project.env"] == "local"
    assert tags["mlflow.user"]
    # the fixtures live in mlf's own git checkout: the source is that repository
    if (ROOT / ".git").exists():
        assert tags["mlflow.source.name"].startswith("file://") and tags["mlflow.source.name"].endswith(
            "#tests/projects/fixtures/params")
        assert len(tags["mlflow.source.git.commit"]) == 40


def test_given_values_override_defaults_and_stay_one_argument(ws, data_file):
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "-P", "alpha=0.7", "-P", "epochs=10",
                    "-P", "label=it's; echo pwned", "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    argv = ws.report()["argv"]
    assert argv[:6] == ["--alpha", "0.7", "--epochs", "10", "--label", "it's; echo pwned"]
    assert "pwned" not in result.stdout


def test_relative_path_parameters_become_absolute(ws, data_file):
    result = ws.mlf(FIXTURES / "params", "-P", "data=data.csv", "--env-manager", "local", cwd=data_file.parent)
    assert result.returncode == 0, result.stderr
    assert ws.report()["argv"][7] == str(data_file)


@pytest.mark.parametrize("params, message", [
    ([], "No value given for missing parameters: 'data'"),
    (["-P", "data=x", "-P", "epochs=2.5"], "'epochs' is an int"),
    (["-P", "data=x", "-P", "source=/not/a/uri"], "Expected URI for parameter source"),
    (["-P", "novalue"], "expected NAME=VALUE"),
])
def test_bad_parameters_stop_before_any_run_exists(ws, params, message):
    result = ws.mlf(FIXTURES / "params", *params, "--env-manager", "local")
    assert result.returncode != 0
    assert message in result.stderr
    assert not ws.report_path.exists()
    assert ws.runs() == []


def test_a_missing_path_parameter_fails_the_run(ws):
    result = ws.mlf(FIXTURES / "params", "-P", "data=/no/such/file.csv", "--env-manager", "local")
    assert result.returncode == 1
    assert "no such file or directory was found" in result.stderr
    assert ws.only_run().info.status == "FAILED"


def test_failing_entry_point_records_failed_and_exits_non_zero(ws):
    result = ws.mlf(FIXTURES / "params", "-e", "fail", "-P", "code=4", "--env-manager", "local")
    assert result.returncode == 1
    assert "failing on purpose" in result.stderr
    assert "failed" in result.stderr and "exit code 4" in result.stderr
    run = ws.only_run()
    assert run.info.status == "FAILED" and run.info.end_time is not None
    assert run.params == {"code": "4"}


def test_undeclared_python_entry_point_gets_extras_as_flags(ws):
    result = ws.mlf(FIXTURES / "scripts", "-e", "train.py", "-P", "lr=0.01", "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    report = ws.report()
    assert report["argv"] == ["--lr", "0.01"]
    run = ws.only_run()
    assert report["env"]["MLFLOW_RUN_ID"] == run.info.run_id
    assert run.tags["mlflow.project.entryPoint"] == "train.py"
    assert run.params == {"lr": "0.01"}


def test_undeclared_shell_entry_point(ws):
    result = ws.mlf(FIXTURES / "scripts", "-e", "hello.sh", "--env-manager", "local", env={"SHELL": "/bin/bash"})
    assert result.returncode == 0, result.stderr
    assert ws.report()["env"]["MLFLOW_RUN_ID"] == ws.only_run().info.run_id


def test_unknown_entry_points_are_refused(ws):
    result = ws.mlf(FIXTURES / "scripts", "-e", "train", "--env-manager", "local")
    assert result.returncode == 1 and "Could not find train" in result.stderr
    result = ws.mlf(FIXTURES / "scripts", "-e", "missing.py", "--env-manager", "local")
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert ws.runs() == []


def test_experiment_by_name_is_created_and_run_name_is_set(ws, data_file):
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "--experiment-name", "tuning",
                    "--run-name", "first-try", "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    experiment = ws.store().get_experiment_by_name("tuning")
    run = ws.only_run(experiment.experiment_id)
    assert run.info.run_name == "first-try" and run.tags["mlflow.runName"] == "first-try"
    assert ws.report()["env"]["MLFLOW_EXPERIMENT_ID"] == experiment.experiment_id
    # the env var gives the same default
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "--env-manager", "local",
                    env={"MLFLOW_EXPERIMENT_NAME": "tuning"})
    assert result.returncode == 0, result.stderr
    assert len(ws.runs(experiment.experiment_id)) == 2


def test_experiment_selection_errors(ws, data_file):
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "--experiment-id", "42", "--env-manager", "local")
    assert result.returncode == 1 and "42" in result.stderr
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "--experiment-id", "0",
                    "--experiment-name", "x", "--env-manager", "local")
    assert result.returncode == 1 and "only one" in result.stderr


def test_existing_run_id_is_used(ws, data_file):
    run = ws.store().create_run("0", start_time=int(time.time() * 1000))
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "--run-id", run.info.run_id,
                    "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    assert ws.report()["env"]["MLFLOW_RUN_ID"] == run.info.run_id
    assert [r.info.run_id for r in ws.runs()] == [run.info.run_id]
    assert ws.store().get_run(run.info.run_id).info.status == "FINISHED"


@pytest.mark.parametrize("backend, message", [
    ("databricks", "databricks backend is not available"),
    ("kubernetes", "kubernetes backend is not available"),
    ("ray", "unsupported execution mode ray"),
])
def test_other_backends_are_refused(ws, data_file, backend, message):
    result = ws.mlf(FIXTURES / "params", "-P", f"data={data_file}", "-b", backend)
    assert result.returncode == 1
    assert message in result.stderr
    assert ws.runs() == []


def test_docker_projects_need_an_engine(ws, tmp_path):
    project = tmp_path / "docker-project"
    project.mkdir()
    (project / "MLproject").write_text("name: d\ndocker_env:\n  image: python:3.11-slim\nentry_points:\n"
                                       "  main:\n    command: python -c 'print(1)'\n")
    result = ws.mlf(project, env={"PATH": str(tmp_path)})  # no docker binary on PATH
    assert result.returncode == 1 and "'docker' command was not found" in result.stderr
    run = ws.only_run()
    assert run.info.status == "FAILED" and run.tags["mlflow.project.env"] == "docker"


def test_conda_projects_need_conda(ws, tmp_path):
    project = tmp_path / "conda-project"
    project.mkdir()
    (project / "conda.yaml").write_text("name: c\ndependencies: [python=3.11]\n")
    (project / "MLproject").write_text("name: c\nconda_env: conda.yaml\nentry_points:\n  main:\n    command: 'true'\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("bash"), bin_dir / "bash")
    result = ws.mlf(project, env={"PATH": str(bin_dir)})
    assert result.returncode == 1 and "'conda' command was not found" in result.stderr


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def git_repo(tmp_path):
    """A repository with the scripts project in sub/proj: main on the default branch, a branch with a change."""
    repo = tmp_path / "repo"
    project = repo / "sub" / "proj"
    project.mkdir(parents=True)
    shutil.copy(FIXTURES / "params" / "report.py", project / "report.py")
    (project / "MLproject").write_text(
        "name: git-demo\nentry_points:\n  main:\n    parameters:\n      tag: {type: string, default: one}\n"
        "    command: python report.py --tag {tag}\n")
    _git("init", "-q", "-b", "trunk", cwd=repo)
    _git("add", ".", cwd=repo)
    first = _git("commit", "-q", "-m", "first", cwd=repo)
    _git("checkout", "-q", "-b", "feature", cwd=repo)
    (project / "MLproject").write_text(
        "name: git-demo\nentry_points:\n  main:\n    parameters:\n      tag: {type: string, default: two}\n"
        "    command: python report.py --tag {tag}\n")
    second = _git("commit", "-q", "-am", "second", cwd=repo)
    _git("checkout", "-q", "trunk", cwd=repo)
    return repo, first, second


def test_git_repository_in_place_and_at_versions(ws, git_repo):
    repo, first, second = git_repo
    # the working tree, addressed as repo#subdirectory
    result = ws.mlf(f"{repo}#sub/proj", "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    assert ws.report()["argv"] == ["--tag", "one"]
    run = ws.only_run()
    assert run.tags["mlflow.source.git.commit"] == first
    assert run.tags["mlflow.source.name"] == f"{repo}#sub/proj"
    # a branch: cloned and checked out elsewhere; the source tags name the branch and its commit
    result = ws.mlf(f"file://{repo}#sub/proj", "--version", "feature", "--env-manager", "local", "--run-name", "br")
    assert result.returncode == 0, result.stderr
    assert ws.report()["argv"] == ["--tag", "two"]
    assert ws.report()["cwd"] != str(repo / "sub" / "proj")
    branch_run = next(r for r in ws.runs() if r.info.run_name == "br")
    assert branch_run.tags["mlflow.source.git.commit"] == second
    assert branch_run.tags["mlflow.source.git.branch"] == "feature"
    assert branch_run.tags["mlflow.source.git.repoURL"] == str(repo)
    # a commit id
    result = ws.mlf(f"{repo}#sub/proj", "--version", first, "-P", "tag=three", "--env-manager", "local")
    assert result.returncode == 0, result.stderr
    assert ws.report()["argv"] == ["--tag", "three"]
    # an unknown version and a missing subdirectory
    result = ws.mlf(f"{repo}#sub/proj", "--version", "nope", "--env-manager", "local")
    assert result.returncode == 1 and "Unable to checkout version 'nope'" in result.stderr
    result = ws.mlf(f"{repo}#sub/none", "--env-manager", "local")
    assert result.returncode == 1 and "sub/none" in result.stderr


def test_version_needs_a_git_project(ws, tmp_path):
    result = ws.mlf(FIXTURES / "scripts", "-e", "train.py", "--version", "main", "--env-manager", "local",
                    env={"GIT_CEILING_DIRECTORIES": str(FIXTURES.parent)})
    assert result.returncode == 1 and "only supported for Git project URIs" in result.stderr


def test_a_real_mlflow_client_logs_into_the_project_run(ws, tmp_path):
    """The entry point uses MLflow itself: MLFLOW_RUN_ID/MLFLOW_TRACKING_URI must lead it to our run."""
    from tests.support.mlflow_venv import mlflow_python

    project = tmp_path / "mlflow-client"
    project.mkdir()
    (project / "log.py").write_text(
        "import mlflow, sys\nwith mlflow.start_run():\n    mlflow.log_metric('loss', 0.25)\n"
        "    mlflow.log_param('from_client', sys.argv[1])\n")
    (project / "MLproject").write_text(
        f"name: client\nentry_points:\n  main:\n    parameters:\n      x: {{type: int, default: 5}}\n"
        f"    command: {mlflow_python()} log.py {{x}}\n")
    # MLflow 3.17 opens a file store only when told that it is wanted.
    result = ws.mlf(project, "--env-manager", "local", env={"MLFLOW_ALLOW_FILE_STORE": "true"})
    assert result.returncode == 0, result.stderr
    run = ws.only_run()
    assert run.info.status == "FINISHED"
    assert run.metrics["loss"].value == 0.25
    assert run.params["from_client"] == "5" and run.params["x"] == "5"


@pytest.mark.slow
def test_python_env_project_in_a_virtualenv(ws, tmp_path, data_file):
    project = tmp_path / "venv-project"
    shutil.copytree(FIXTURES / "params", project)
    (project / "python_env.yaml").write_text(f'python: "{platform.python_version()}"\nbuild_dependencies: []\n'
                                             "dependencies: []\n")
    env_root = tmp_path / "envs"
    result = ws.mlf(project, "-P", f"data={data_file}", env={"MLFLOW_ENV_ROOT": str(env_root)}, timeout=900)
    assert result.returncode == 0, result.stderr
    assert ws.report()["executable"].startswith(str(env_root))
    assert ws.only_run().tags["mlflow.project.env"] == "virtualenv"
