"""The sagemaker target: SageMaker endpoints (runtime.sagemaker.endpoints) and local runs in Docker."""

import signal
import subprocess
import sys

from runtime.deployments.base import BaseDeploymentClient
from runtime.errors import InvalidParameter

LOCAL_DEFAULTS = {"image": "mlflow-pyfunc", "port": "5000"}


def target_help():
    return """\
    Target sagemaker: Amazon SageMaker endpoints.

    Target URIs:
      sagemaker                          the region of -C region_name, else us-west-2
      sagemaker:/REGION                  for example sagemaker:/eu-west-1
      sagemaker:/REGION/ROLE_ARN         assume this IAM role for every AWS call

    -C settings of create and update (anything else is refused):
      execution_role_arn, assume_role_arn, bucket, image_url, region_name, instance_type
      (ml.m4.xlarge), instance_count (1), variant_name, mode (update: replace or add),
      archive and synchronous (True or False), timeout_seconds (1200), and as JSON:
      vpc_config, data_capture_config, env, tags, async_inference_config, serverless_config.

    predict sends the input as JSON to the endpoint. run-local runs the serving image with
    Docker: -C image=mlflow-pyfunc -C port=5000."""


def run_local(name, model_uri, flavor=None, config=None):
    """Serve the model in the SageMaker image on this machine (docker run ... serve) until stopped."""
    from runtime.sagemaker import model_archive
    from runtime.sagemaker.container import docker_engine

    config = dict(config or {})
    unknown = sorted(set(config) - set(LOCAL_DEFAULTS))
    if unknown:
        raise InvalidParameter(f"run-local takes only -C image and -C port, not {', '.join(unknown)}")
    settings = {**LOCAL_DEFAULTS, **config}
    with model_archive.checked_model(model_uri, flavor) as (model_path, flavor):
        docker = docker_engine("run-local")
        argv = [docker, "run", "-v", f"{model_path}:/opt/ml/model/", "-p", f"{settings['port']}:8080"]
        for key, value in model_archive.container_environment(flavor).items():
            argv += ["-e", f"{key}={value}"]
        argv += ["--rm", settings["image"], "serve"]
        process = subprocess.Popen(argv, stdout=sys.stderr)  # the container's log is not a command result
        previous = signal.signal(signal.SIGTERM, lambda *_: process.send_signal(signal.SIGINT))
        try:
            process.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
    if process.returncode not in (0, -signal.SIGINT, 130):
        from runtime.errors import MlfError

        raise MlfError(f"docker run exited with code {process.returncode}")


class SageMakerDeploymentClient(BaseDeploymentClient):
    accepts_json_inputs = True

    def __init__(self, target_uri):
        super().__init__(target_uri)
        from runtime.sagemaker.endpoints import Endpoints

        self.endpoints = Endpoints(target_uri)

    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        return self.endpoints.create(name, model_uri, flavor, config)

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        return self.endpoints.update(name, model_uri, flavor, config)

    def delete_deployment(self, name, config=None, endpoint=None):
        self.endpoints.delete(name, config)

    def list_deployments(self, endpoint=None):
        return self.endpoints.list()

    def get_deployment(self, name, endpoint=None):
        return self.endpoints.get(name)

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        return self.endpoints.predict(endpoint or deployment_name, inputs)
