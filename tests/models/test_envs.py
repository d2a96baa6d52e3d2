"""Environment managers: refusals without the tools, and virtualenv end to end."""

import json
import os
import shutil
import sys
import time

import pytest
import requests

from runtime.errors import InvalidParameter, MlfError
from runtime.models import envs
from runtime.models.flavor_callable import save_callable
from runtime.models.python_env import PythonEnv
from tests.models.conftest import ModelServer, run_mlf


def test_env_manager_names_are_checked():
    for name in envs.ENV_MANAGERS:
        assert envs.validate_env_manager(name) == name
    with pytest.raises(InvalidParameter, match="pipenv"):
        envs.validate_env_manager("pipenv")


def test_environment_key_follows_everything_that_goes_in():
    base = PythonEnv("3.11.7", ["pip"], [])
    key = envs.environment_key("virtualenv", base, ["numpy==2.0"], [], False)
    assert key == envs.environment_key("virtualenv", base, ["numpy==2.0"], [], False)
    assert key != envs.environment_key("virtualenv", base, ["numpy==2.1"], [], False)
    assert key != envs.environment_key("uv", base, ["numpy==2.0"], [], False)
    assert key != envs.environment_key("virtualenv", base, ["numpy==2.0"], ["pandas"], False)
    assert key != envs.environment_key("virtualenv", base, ["numpy==2.0"], [], True)
    assert key != envs.environment_key("virtualenv", PythonEnv("3.12.1", ["pip"], []), ["numpy==2.0"], [], False)


def test_python_env_reads_requirement_files_and_conda(mlflow_models):
    model = mlflow_models.path("sk_skops")
    python_env = PythonEnv.from_yaml(os.path.join(model, "python_env.yaml"))
    assert python_env.dependencies == ["-r requirements.txt"]
    resolved = python_env.resolved_dependencies(model)
    assert "skops==0.16.0" in resolved and "mlflow==3.17.2" in resolved
    conda = PythonEnv.from_conda_yaml(os.path.join(model, "conda.yaml"))
    assert conda.python == python_env.python and set(conda.dependencies) == set(resolved)


@pytest.mark.parametrize("manager, tool", [("uv", "uv"), ("conda", "conda")])
def test_missing_tools_are_named(mlflow_models, tmp_path, manager, tool):
    empty = tmp_path / "bin"
    empty.mkdir()
    os.symlink(sys.executable, empty / "python3")
    result = run_mlf("models", "prepare-env", "-m", mlflow_models.path("sk_skops"), "--env-manager", manager,
                     env={"PATH": str(empty), "MLFLOW_ENV_ROOT": str(tmp_path / "envs")})
    assert result.returncode == 1
    assert f"'{tool}' command was not found" in result.stderr
    assert not (tmp_path / "envs").exists() or not os.listdir(tmp_path / "envs")


def test_another_python_version_needs_pyenv(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MlfError, match="pyenv"):
        envs.find_python("3.99.1")


def test_failed_builds_leave_nothing_behind(mlflow_models, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(mlflow_models.path("sk_skops"), model)
    (model / "requirements.txt").write_text("./this-folder-does-not-exist\n")
    env_root = tmp_path / "envs"
    result = run_mlf("models", "prepare-env", "-m", model, "--env-manager", "virtualenv",
                     env={"MLFLOW_ENV_ROOT": str(env_root)})
    assert result.returncode == 1
    assert "Building the environment failed" in result.stderr
    leftovers = [p for p in os.listdir(env_root) if not p.startswith(".")]
    assert leftovers == []


@pytest.fixture(scope="module")
def light_model(mlflow_models, tmp_path_factory):
    """The MLflow-saved skops model without the mlflow requirement (so the env builds in seconds)."""
    model = tmp_path_factory.mktemp("venv-model") / "model"
    shutil.copytree(mlflow_models.path("sk_skops"), model)
    result = run_mlf("models", "update-pip-requirements", "-m", model, "remove", "mlflow")
    assert result.returncode == 0, result.stderr
    return model


@pytest.mark.slow
def test_virtualenv_end_to_end(light_model, mlflow_models, tmp_path):
    env_root = tmp_path / "envs"
    environ = {"MLFLOW_ENV_ROOT": str(env_root)}
    prepared = run_mlf("models", "prepare-env", "-m", light_model, env=environ, timeout=1200)
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    (built,) = [p for p in env_root.iterdir() if not p.name.startswith(".")]
    assert (built / ".mlf-env-complete").is_file()
    assert (built / "bin" / "python").exists()
    installed = os.listdir(next((built / "lib").glob("python3.*")) / "site-packages")
    assert any(name.startswith("skops") for name in installed)
    assert not any(name.startswith("mlflow") for name in installed)

    # predict (the default env manager is virtualenv) reuses the prepared environment
    for name in ("dataframe_split", "csv"):
        kind, body = mlflow_models.payloads()[name]
        source = tmp_path / f"in.{kind}"
        source.write_text(body)
        result = run_mlf("models", "predict", "-m", light_model, "-i", source, "-t", kind, env=environ)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Creating a virtualenv environment" not in result.stderr
        assert json.loads(result.stdout) == {"predictions": mlflow_models.expected["skops"]}
    assert len([p for p in env_root.iterdir() if not p.name.startswith(".")]) == 1

    # serve inside the same environment
    with ModelServer(light_model, ["--env-manager", "virtualenv"], env=environ) as server:
        _, body = mlflow_models.payloads()["dataframe_records"]
        response = requests.post(server.url + "/invocations", data=body,
                                 headers={"Content-Type": "application/json"}, timeout=30)
        assert response.json() == {"predictions": mlflow_models.expected["skops"]}
        bad = requests.post(server.url + "/invocations", data="{", headers={"Content-Type": "application/json"},
                            timeout=30)
        assert bad.status_code == 400
        children = _processes_running(light_model)
        assert any("runtime.models.child" in line for line in children)
        assert server.stop() == 0
    # Stopping `mlf models serve` stops the scoring server it runs inside the environment.
    deadline = time.monotonic() + 15
    while _processes_running(light_model) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_running(light_model) == []


def _processes_running(needle):
    """Command lines of live processes that mention needle (read from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                line = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(needle) in line:
            found.append(line)
    return found


@pytest.mark.slow
def test_virtualenv_with_extra_env_vars_and_requirements(tmp_path):
    def read_env(data):  # stored by value: the environment has no copy of this test module
        import os

        return [os.environ.get("MLF_TEST_GREETING", "unset")] * len(data)

    model = save_callable(read_env, str(tmp_path / "callable"))
    env_root = tmp_path / "envs"
    result = run_mlf("models", "predict", "-m", model, "--env", "MLF_TEST_GREETING=hello", "-r", "six",
                     env={"MLFLOW_ENV_ROOT": str(env_root)}, input_text='{"inputs": [1, 2]}', timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout) == {"predictions": ["hello", "hello"]}
    (built,) = [p for p in env_root.iterdir() if not p.name.startswith(".")]
    installed = os.listdir(next((built / "lib").glob("python3.*")) / "site-packages")
    assert any(name.startswith("six") for name in installed)
