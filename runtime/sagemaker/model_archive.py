"""The model side of a SageMaker deployment: local checks, model.tar.gz in S3, the SageMaker Model.

Everything that can be wrong with the model is checked before any AWS call, so a bad model
creates nothing remotely.
"""

import contextlib
import os
import tarfile
import tempfile

from runtime.errors import InvalidParameter, MlfError
from runtime.sagemaker.aws import aws_errors

PYFUNC = "python_function"
ARCHIVE_NAME = "model.tar.gz"


@contextlib.contextmanager
def checked_model(model_uri, flavor=None, tracking_uri=None):
    """Yield (local model directory, flavor) for a model SageMaker can serve (python_function only)."""
    from runtime.models.model_dir import ModelDir
    from runtime.models.uris import local_model

    if flavor not in (None, PYFUNC):
        raise InvalidParameter(f"SageMaker serves only the {PYFUNC} flavor, not {flavor!r}")
    with local_model(model_uri, tracking_uri) as path:
        model = ModelDir.load(path)
        if PYFUNC not in model.flavors:
            raise InvalidParameter(f"The model {model_uri} has no {PYFUNC} flavor (it has "
                                   f"{', '.join(sorted(model.flavors))}); SageMaker serves only {PYFUNC} models")
        yield model.path, PYFUNC


def write_archive(model_path, destination):
    """model.tar.gz with the model directory's entries at the archive root, as SageMaker unpacks it."""
    with tarfile.open(destination, "w:gz") as archive:
        for entry in sorted(os.listdir(model_path)):
            archive.add(os.path.join(model_path, entry), arcname=entry)


def upload_model(aws, model_path, bucket, prefix):
    """Upload the archive to s3://bucket/prefix/model.tar.gz, tagged for SageMaker; returns its URL."""
    key = f"{prefix}/{ARCHIVE_NAME}"
    with tempfile.TemporaryDirectory(prefix="mlf-sagemaker-") as scratch:
        archive = os.path.join(scratch, ARCHIVE_NAME)
        write_archive(model_path, archive)
        with aws_errors(f"uploading the model to s3://{bucket}/{key}"), open(archive, "rb") as handle:
            aws.s3.upload_fileobj(handle, bucket, key)
            aws.s3.put_object_tagging(Bucket=bucket, Key=key,
                                      Tagging={"TagSet": [{"Key": "SageMaker", "Value": "true"}]})
    return f"s3://{bucket}/{key}"


def container_environment(flavor):
    environment = {"MLFLOW_DEPLOYMENT_FLAVOR_NAME": flavor, "SERVING_ENVIRONMENT": "SageMaker"}
    for name in ("http_proxy", "https_proxy", "no_proxy"):
        if os.environ.get(name):
            environment[name] = os.environ[name]
    return environment


def create_model(aws, model_name, image_url, model_data_url, flavor, role_arn, model_uri, vpc_config=None,
                 environment=None):
    arguments = {
        "ModelName": model_name,
        "PrimaryContainer": {"Image": image_url, "ModelDataUrl": model_data_url,
                             "Environment": {**container_environment(flavor), **(environment or {})}},
        "ExecutionRoleArn": role_arn,
        "Tags": [{"Key": "model_uri", "Value": str(model_uri)}],
    }
    if vpc_config:
        arguments["VpcConfig"] = vpc_config
    with aws_errors(f"creating the SageMaker model {model_name}"):
        return aws.sagemaker.create_model(**arguments)["ModelArn"]


def delete_model_and_archive(aws, model_name):
    """Remove a SageMaker model and the model.tar.gz it points to."""
    with aws_errors(f"reading the SageMaker model {model_name}"):
        url = aws.sagemaker.describe_model(ModelName=model_name)["PrimaryContainer"].get("ModelDataUrl", "")
    if url.startswith("s3://"):
        bucket, _, key = url[len("s3://"):].partition("/")
        with aws_errors(f"deleting {url}"):
            aws.s3.delete_object(Bucket=bucket, Key=key)
    with aws_errors(f"deleting the SageMaker model {model_name}"):
        aws.sagemaker.delete_model(ModelName=model_name)


def read_vpc_config(path):
    """--vpc-config: a JSON file with SecurityGroupIds and Subnets."""
    if not path:
        return None
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except OSError as exc:
        raise InvalidParameter(f"Cannot read the VPC config {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise InvalidParameter(f"The VPC config {path} is not valid JSON: {exc}") from None
    if not isinstance(config, dict):
        raise MlfError(f"The VPC config {path} must be a JSON object (SecurityGroupIds, Subnets)")
    return config
