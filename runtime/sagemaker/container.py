"""`mlf sagemaker build-and-push-container`: the serving image SageMaker runs, built and pushed to ECR.

SageMaker starts the container with the argument `serve` and expects /ping and /invocations on
port 8080, with the model unpacked at /opt/ml/model. The image runs `mlf models serve` there.
The ECR login asks the ECR API for a token (no aws command line needed) and hands it to
`docker login --password-stdin`.
"""

import base64
import os
import shutil
import subprocess
import sys
import tempfile

from runtime import __version__
from runtime.errors import InvalidParameter, MlfError
from runtime.fsutil import atomic_write
from runtime.models import docker, envs
from runtime.sagemaker.aws import Aws, as_mlf_error, aws_errors, error_code

ENTRYPOINT_NAME = "sagemaker-entrypoint.sh"
MODEL_DIR = "/opt/ml/model"

# SageMaker's container contract: `serve` serves, `train` is not something a model server does.
ENTRYPOINT_SCRIPT = f"""#!/bin/sh
# Entry point of the SageMaker serving image written by `mlf sagemaker build-and-push-container`.
set -e
case "${{1:-serve}}" in
  serve)
    exec mlf models serve -m {MODEL_DIR} --host 0.0.0.0 --port {docker.PORT} --env-manager "$MLF_ENV_MANAGER" ;;
  train)
    echo "Training is not implemented: this image only serves models." >&2
    exit 1 ;;
  *)
    exec "$@" ;;
esac
"""


def dockerfile_text(python_version, env_manager, install_java=False):
    lines = [
        "# SageMaker serving image: mlf serves the model in /opt/ml/model on port 8080 (`serve`).",
        f"FROM python:{python_version}-slim",
        "",
    ]
    if install_java:
        lines += ["RUN apt-get -y update && apt-get install -y --no-install-recommends default-jre-headless \\",
                  "    && rm -rf /var/lib/apt/lists/*", ""]
    lines += [
        "WORKDIR /opt/mlf",
        f"COPY {docker.SOURCE_DIR} /opt/mlf/src",
        f"RUN pip install --no-cache-dir /opt/mlf/src {' '.join(docker.SERVING_PACKAGES)}",
        f"COPY {ENTRYPOINT_NAME} /usr/local/bin/{ENTRYPOINT_NAME}",
        f"RUN chmod 755 /usr/local/bin/{ENTRYPOINT_NAME}",
        "",
        f"ENV MLF_ENV_MANAGER={env_manager}",
        "ENV MLFLOW_DISABLE_ENV_CREATION=" + ("True" if env_manager == envs.LOCAL else "False"),
        f"EXPOSE {docker.PORT}",
        f'ENTRYPOINT ["/usr/local/bin/{ENTRYPOINT_NAME}"]',
    ]
    return "\n".join(lines) + "\n"


def write_build_context(directory, env_manager=envs.VIRTUALENV, mlf_home=None, install_java=None):
    """Write the Dockerfile, the entry point and mlf's source into directory; returns the Dockerfile path."""
    envs.validate_env_manager(env_manager)
    if env_manager == envs.CONDA:
        raise InvalidParameter("--env-manager conda is not supported for the SageMaker image; use local, "
                               "virtualenv or uv")
    source = os.path.join(directory, docker.SOURCE_DIR)
    os.makedirs(source, exist_ok=True)
    docker._copy_source(os.path.abspath(mlf_home) if mlf_home else envs.project_root(), source)
    atomic_write(os.path.join(directory, ENTRYPOINT_NAME), ENTRYPOINT_SCRIPT, mode=0o755)
    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    path = os.path.join(directory, "Dockerfile")
    atomic_write(path, dockerfile_text(python_version, env_manager, bool(install_java)))
    return path


def _run(argv, what, input_text=None):
    completed = subprocess.run(argv, input=input_text, text=True, stdout=sys.stderr, stderr=sys.stderr)
    if completed.returncode != 0:
        raise MlfError(f"{what} failed with exit code {completed.returncode}")


def ecr_repository(aws, image):
    """The repository URI of image in ECR, created when missing."""
    from botocore.exceptions import ClientError

    ecr = aws.client("ecr")
    try:
        return ecr.describe_repositories(repositoryNames=[image])["repositories"][0]["repositoryUri"]
    except ClientError as exc:
        if error_code(exc) != "RepositoryNotFoundException":
            raise as_mlf_error(exc, f"looking up the ECR repository {image}") from None
    with aws_errors(f"creating the ECR repository {image}"):
        return ecr.create_repository(repositoryName=image)["repository"]["repositoryUri"]


def ecr_login(aws, docker_binary, registry):
    with aws_errors("asking ECR for a login token"):
        data = aws.client("ecr").get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    _run([docker_binary, "login", "--username", user, "--password-stdin", registry], "docker login",
         input_text=password)


def docker_engine(command="build-and-push-container"):
    """The docker binary when a Docker engine answers; one clear MlfError naming the command otherwise."""
    binary = shutil.which("docker")
    if binary is None:
        raise MlfError(f"The docker command was not found: {command} needs Docker")
    try:
        probe = subprocess.run([binary, "info"], capture_output=True, text=True, timeout=60)
        detail = (probe.stderr or probe.stdout).strip().splitlines()[-1:] if probe.returncode else None
    except subprocess.TimeoutExpired:
        detail = ["timed out"]
    if detail is not None:
        raise MlfError(f"No Docker engine is reachable (docker info: {detail[0] if detail else 'failed'}); "
                       f"start Docker and run {command} again")
    return binary


def build_and_push(image, build=True, push=True, network=None, install_java=None, env_manager=envs.VIRTUALENV,
                   mlf_home=None):
    if not build and not push:
        return "skipping both build and push, have nothing to do!"
    envs.validate_env_manager(env_manager)
    docker_binary = docker_engine()
    if build:
        with tempfile.TemporaryDirectory(prefix="mlf-sagemaker-image-") as context:
            write_build_context(context, env_manager, mlf_home, install_java)
            argv = [docker_binary, "build", "-t", image]
            if network:
                argv += ["--network", network]
            _run(argv + [context], "docker build")
    if not push:
        return f"Built image {image}"
    aws = Aws(_session_region())
    repository = ecr_repository(aws, image)
    tagged = f"{repository}:{__version__}"
    ecr_login(aws, docker_binary, repository.split("/")[0])
    _run([docker_binary, "tag", image, tagged], "docker tag")
    _run([docker_binary, "push", tagged], "docker push")
    return f"Pushed {tagged}"


def _session_region():
    """The region of the AWS configuration, else us-west-2 (mlflow's default for the image)."""
    import boto3

    return boto3.session.Session().region_name or None
