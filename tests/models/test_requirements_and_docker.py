"""`models update-pip-requirements`, `models generate-dockerfile` and `models build-docker`."""

import os
import shutil
import time

import pytest
import yaml

from runtime.errors import InvalidParameter
from runtime.models.requirements import apply_change, parse_requirements, update_model_requirements
from tests.models.conftest import run_mlf


@pytest.fixture
def model_copy(mlflow_models, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(mlflow_models.path("sk_skops"), target)
    return target


def pip_section(path):
    conda = yaml.safe_load((path / "conda.yaml").read_text())
    return next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))


def requirements(path):
    return (path / "requirements.txt").read_text().splitlines()


def test_add_overrides_versions_and_appends_in_both_files(model_copy):
    result = run_mlf("models", "update-pip-requirements", "-m", model_copy, "add", "pandas==2.2.2",
                     "Scikit_Learn>=1.5", "newpkg<2")
    assert result.returncode == 0, result.stderr
    assert "Done updating requirements!" in result.stdout
    for lines in (requirements(model_copy), pip_section(model_copy)):
        assert "pandas==2.2.2" in lines and "pandas==3.1.1" not in lines
        assert "scikit_learn>=1.5" in lines and not any(l.startswith("scikit-learn") for l in lines)
        assert lines[-1] == "newpkg<2"
        assert "mlflow==3.17.2" in lines and "skops==0.16.0" in lines
    # the rest of conda.yaml is untouched
    conda = yaml.safe_load((model_copy / "conda.yaml").read_text())
    assert conda["name"] == "mlflow-env" and conda["channels"] == ["conda-forge"]
    assert conda["dependencies"][0].startswith("python=")


def test_remove_ignores_versions_and_unknown_names(model_copy):
    result = run_mlf("models", "update-pip-requirements", "-m", model_copy, "remove", "scipy==0.1", "SKOPS",
                     "not-there")
    assert result.returncode == 0, result.stderr
    for lines in (requirements(model_copy), pip_section(model_copy)):
        assert not any(l.startswith(("scipy", "skops")) for l in lines)
        assert "numpy==2.4.6" in lines
    assert requirements(model_copy) == pip_section(model_copy)


def test_registry_uris_are_read_only(model_copy):
    before = (model_copy / "requirements.txt").read_text()
    result = run_mlf("models", "update-pip-requirements", "-m", "models:/iris/1", "add", "pandas")
    assert result.returncode == 1 and "read-only" in result.stderr
    assert (model_copy / "requirements.txt").read_text() == before


def test_invalid_requirements_and_missing_arguments(model_copy):
    result = run_mlf("models", "update-pip-requirements", "-m", model_copy, "add", "not a requirement!!")
    assert result.returncode == 1 and "invalid requirements" in result.stderr
    result = run_mlf("models", "update-pip-requirements", "-m", model_copy, "add")
    assert result.returncode == 1 and "at least one" in result.stderr
    result = run_mlf("models", "update-pip-requirements", "-m", model_copy, "replace", "x")
    assert result.returncode == 2


def test_runs_uri_edits_the_run_artifacts(model_copy, tmp_path):
    from runtime.artifacts.repository import get_artifact_repository
    from runtime.store.factory import get_tracking_store

    store_uri = str(tmp_path / "mlruns")
    run = get_tracking_store(store_uri).create_run("0", start_time=int(time.time() * 1000))
    get_artifact_repository(run.info.artifact_uri).log_artifacts(str(model_copy), "model")
    result = run_mlf("models", "update-pip-requirements", "-m", f"runs:/{run.info.run_id}/model", "add", "rich",
                     env={"MLFLOW_TRACKING_URI": store_uri})
    assert result.returncode == 0, result.stderr
    from runtime.tracking_uri import local_path_from_uri

    stored = os.path.join(local_path_from_uri(run.info.artifact_uri), "model", "requirements.txt")
    assert open(stored).read().splitlines()[-1] == "rich"


def test_apply_change_keeps_options_and_comments():
    lines = ["# pinned", "-r base.txt", "numpy==1.0", "pandas"]
    assert apply_change(lines, "add", parse_requirements(["NumPy>=2"])) == ["# pinned", "-r base.txt", "numpy>=2",
                                                                         "pandas"]
    assert apply_change(lines, "remove", parse_requirements(["pandas"])) == ["# pinned", "-r base.txt", "numpy==1.0"]
    with pytest.raises(InvalidParameter):
        apply_change(lines, "swap", [])


def test_a_conda_file_without_pip_section_gets_one(model_copy):
    (model_copy / "conda.yaml").write_text("name: env\ndependencies:\n- python=3.11\n")
    update_model_requirements(str(model_copy), "add", ["pandas==2.2.2"])
    conda = yaml.safe_load((model_copy / "conda.yaml").read_text())
    assert "pip" in conda["dependencies"] and {"pip": ["pandas==2.2.2"]} in conda["dependencies"]


def test_generate_dockerfile_with_a_model(mlflow_models, tmp_path):
    out = tmp_path / "image"
    result = run_mlf("models", "generate-dockerfile", "-m", mlflow_models.path("sk_skops"), "-d", out,
                     "--enable-mlserver")
    assert result.returncode == 0, result.stderr
    dockerfile = (out / "Dockerfile").read_text()
    assert dockerfile.startswith("# Build an image")
    assert "FROM python:3.11-slim" in dockerfile
    assert "EXPOSE 8080" in dockerfile
    assert "COPY model_dir /opt/ml/model" in dockerfile
    assert "pip install --no-cache-dir -r /opt/ml/model/requirements.txt" in dockerfile
    assert '"--port", "8080"' in dockerfile and '"--host", "0.0.0.0"' in dockerfile
    assert '"--env-manager", "local"' in dockerfile and '"--enable-mlserver"' in dockerfile
    assert (out / "model_dir" / "MLmodel").is_file() and (out / "model_dir" / "model.skops").is_file()
    assert (out / "mlf-src" / "pyproject.toml").is_file()
    assert (out / "mlf-src" / "runtime" / "models" / "server.py").is_file()
    assert not list((out / "mlf-src").rglob("__pycache__"))


def test_generate_dockerfile_without_a_model_builds_the_env_at_start(tmp_path):
    out = tmp_path / "generic"
    result = run_mlf("models", "generate-dockerfile", "-d", out)
    assert result.returncode == 0, result.stderr
    dockerfile = (out / "Dockerfile").read_text()
    assert "COPY model_dir" not in dockerfile
    assert '"-m", "/opt/ml/model"' in dockerfile and '"--env-manager", "virtualenv"' in dockerfile
    assert not (out / "model_dir").exists()


def test_build_docker_without_an_engine_points_to_generate_dockerfile(mlflow_models, tmp_path):
    if shutil.which("docker"):
        probe = os.system("docker info >/dev/null 2>&1")
        if probe == 0:
            pytest.skip("a Docker engine answers on this machine; the refusal cannot be observed")
    result = run_mlf("models", "build-docker", "-m", mlflow_models.path("sk_skops"), "-n", "iris-image")
    assert result.returncode == 1
    assert "generate-dockerfile" in result.stderr
    # and with no docker binary at all
    result = run_mlf("models", "build-docker", "-n", "x", env={"PATH": str(tmp_path)})
    assert result.returncode == 1
    assert "'docker' command was not found" in result.stderr and "generate-dockerfile" in result.stderr
