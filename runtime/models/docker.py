"""`models generate-dockerfile` and `models build-docker`: an image that serves a model on 8080.

The build context holds the Dockerfile, mlf's own source (mlf-src/, installed with pip in
the image) and, when a model URI is given, the model (model_dir/ -> /opt/ml/model). Without
a model the container expects one mounted at /opt/ml/model. The container runs
`mlf models serve -m /opt/ml/model --host 0.0.0.0 --port 8080`; MLFLOW_MODELS_WORKERS sets
the number of workers, as in MLflow's images.
"""

import os
import platform
import shutil
import subprocess
import sys
import tempfile

from runtime.errors import InvalidParameter, MlfError
from runtime.fsutil import atomic_write
from runtime.models import envs

MODEL_DIR_IN_IMAGE = "/opt/ml/model"
PORT = 8080
SOURCE_DIR = "mlf-src"
MODEL_DIR = "model_dir"
# What mlf's serving path imports beyond its base dependencies.
SERVING_PACKAGES = ("pyyaml", "pandas", "numpy", "packaging", "cloudpickle")
_SOURCE_ITEMS = ("pyproject.toml", "README.md", "runtime", "handlers")


def _copy_source(source_root, destination):
    if not os.path.isfile(os.path.join(source_root, "pyproject.toml")):
        raise MlfError(f"{source_root} is not an mlf source checkout (no pyproject.toml)")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".tmp-*")
    for item in _SOURCE_ITEMS:
        source = os.path.join(source_root, item)
        target = os.path.join(destination, item)
        if os.path.isdir(source):
            shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
        elif os.path.isfile(source):
            shutil.copy2(source, target)
    if not os.path.exists(os.path.join(destination, "README.md")):
        atomic_write(os.path.join(destination, "README.md"), "mlf\n")  # pyproject names a readme


def _python_minor(version):
    parts = str(version or platform.python_version()).split(".")
    return ".".join(parts[:2])


def dockerfile_text(python_version, has_model, env_manager, install_java=False, enable_mlserver=False,
                    install_mlflow=False):
    lines = [
        "# Build an image that serves an MLflow model with mlf on port 8080.",
        f"FROM python:{_python_minor(python_version)}-slim",
        "",
    ]
    if install_java:
        lines += [
            "RUN apt-get -y update && apt-get install -y --no-install-recommends default-jre-headless \\",
            "    && rm -rf /var/lib/apt/lists/*",
            "",
        ]
    lines += [
        "WORKDIR /opt/mlf",
        f"COPY {SOURCE_DIR} /opt/mlf/src",
        f"RUN pip install --no-cache-dir '/opt/mlf/src[server]' {' '.join(SERVING_PACKAGES)}",
        "",
    ]
    if has_model:
        lines += [f"COPY {MODEL_DIR} {MODEL_DIR_IN_IMAGE}"]
        if env_manager == envs.LOCAL:
            lines += [
                f"RUN if [ -f {MODEL_DIR_IN_IMAGE}/requirements.txt ]; then "
                f"pip install --no-cache-dir -r {MODEL_DIR_IN_IMAGE}/requirements.txt; fi"
            ]
        lines.append("")
    lines += [
        "ENV MLFLOW_DISABLE_ENV_CREATION=" + ("True" if env_manager == envs.LOCAL else "False"),
        f"EXPOSE {PORT}",
    ]
    command = ["mlf", "models", "serve", "-m", MODEL_DIR_IN_IMAGE, "--host", "0.0.0.0", "--port", str(PORT),
               "--env-manager", env_manager]
    if install_mlflow and env_manager != envs.LOCAL:
        command.append("--install-mlflow")
    if enable_mlserver:
        command.append("--enable-mlserver")
    lines.append("ENTRYPOINT [" + ", ".join(f'"{part}"' for part in command) + "]")
    return "\n".join(lines) + "\n"


def generate_dockerfile(output_dir, model_uri=None, env_manager=None, mlf_home=None, install_java=None,
                        install_mlflow=False, enable_mlserver=False):
    """Write the build context into output_dir; returns the Dockerfile path."""
    from runtime.models.model_dir import ModelDir
    from runtime.models.uris import local_model

    if env_manager is not None:
        envs.validate_env_manager(env_manager)
        if env_manager == envs.CONDA:
            raise InvalidParameter.for_param("env_manager", "conda is not supported for images; use local or virtualenv")
    os.makedirs(output_dir, exist_ok=True)
    python_version = None
    has_model = model_uri is not None
    if has_model:
        with local_model(model_uri) as model_path:
            model_dir = ModelDir.load(model_path)
            model_dir.pyfunc_conf  # only python_function models can be served
            python_version = model_dir.python_version
            target = os.path.join(output_dir, MODEL_DIR)
            if os.path.exists(target):
                shutil.rmtree(target)
            shutil.copytree(model_dir.path, target)
    if env_manager is None:
        # As MLflow: a model that records its Python version is installed into the image's
        # own interpreter; otherwise the environment is built when the container starts.
        env_manager = envs.LOCAL if python_version else envs.VIRTUALENV
    source = os.path.join(output_dir, SOURCE_DIR)
    if os.path.exists(source):
        shutil.rmtree(source)
    os.makedirs(source)
    _copy_source(os.path.abspath(mlf_home) if mlf_home else envs.project_root(), source)
    path = os.path.join(output_dir, "Dockerfile")
    atomic_write(path, dockerfile_text(python_version, has_model, env_manager, bool(install_java), enable_mlserver,
                                       install_mlflow))
    return path


def docker_engine():
    """The docker binary, when an engine answers; MlfError naming generate-dockerfile otherwise."""
    docker = shutil.which("docker")
    if docker is None:
        raise MlfError(
            "The 'docker' command was not found. Install Docker, or run `mlf models generate-dockerfile` "
            "and build the image where Docker is available."
        )
    try:
        probe = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        probe = None
    if probe is None or probe.returncode != 0:
        detail = (probe.stderr or probe.stdout).strip().splitlines()[-1:] if probe is not None else ["timed out"]
        raise MlfError(
            "No Docker engine is reachable (`docker info` failed: "
            f"{detail[0] if detail else 'no output'}). Start Docker, or run `mlf models generate-dockerfile` "
            "to write the Dockerfile and build it where a Docker engine runs."
        )
    return docker


def build_docker(name, model_uri=None, env_manager=envs.VIRTUALENV, mlf_home=None, install_java=None,
                 install_mlflow=False, enable_mlserver=False):
    docker = docker_engine()
    with tempfile.TemporaryDirectory(prefix="mlf-docker-") as context:
        generate_dockerfile(context, model_uri, env_manager, mlf_home, install_java, install_mlflow, enable_mlserver)
        completed = subprocess.run([docker, "build", "-t", name, context], stdout=sys.stderr, stderr=sys.stderr)
    if completed.returncode != 0:
        raise MlfError(f"`docker build` failed with exit code {completed.returncode}")
    return name
