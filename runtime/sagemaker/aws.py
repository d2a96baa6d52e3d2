"""One AWS session for a SageMaker command: clients, account, execution role, bucket, image.

Credentials come from boto3's usual chain; AWS_ENDPOINT_URL (honoured by boto3 itself) points
every client at an emulator. botocore errors become one-line MlfErrors via `aws_errors`.
"""

import contextlib
import secrets

from runtime.errors import InvalidParameter, MlfError, NotFound

DEFAULT_REGION = "us-west-2"
DEFAULT_IMAGE = "mlflow-pyfunc"
IMAGE_URL_ENV = "MLFLOW_SAGEMAKER_DEPLOY_IMG_URL"
ASSUMED_ROLE_SESSION = "mlflow-sagemaker"
NAME_LIMIT = 63


def as_mlf_error(exc, doing):
    """The one-line MlfError for a botocore exception raised while doing something."""
    from botocore import exceptions

    if isinstance(exc, exceptions.NoCredentialsError):
        return MlfError(f"No AWS credentials found while {doing}: configure them (AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials)", "UNAUTHENTICATED")
    if isinstance(exc, exceptions.ClientError):
        error = exc.response.get("Error", {})
        detail = " ".join(str(error.get("Message") or exc).split())[:300]
        return MlfError(f"AWS refused {doing}: {error.get('Code', 'Error')}: {detail}")
    return MlfError(f"AWS call failed while {doing}: {' '.join(str(exc).split())}")


@contextlib.contextmanager
def aws_errors(doing):
    """Turn botocore's exceptions into one line naming what was being done."""
    from botocore import exceptions

    try:
        yield
    except (exceptions.ClientError, exceptions.BotoCoreError) as exc:
        raise as_mlf_error(exc, doing) from None


def error_code(exc):
    return exc.response.get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""


def unique_suffix():
    return secrets.token_hex(10)  # 20 hex characters, as mlflow's resource ids


def resource_name(base, kind):
    """`{base}-{kind}-{20 hex}`, shortened in the middle of base to SageMaker's 63-character limit."""
    suffix = f"-{kind}-{unique_suffix()}"
    room = NAME_LIMIT - len(suffix)
    if len(base) > room:
        half = room // 2
        base = base[:half] + base[len(base) - (room - half):]
    return base + suffix


class Aws:
    def __init__(self, region_name=None, assume_role_arn=None):
        import boto3

        self.region = region_name or DEFAULT_REGION
        with aws_errors("opening an AWS session"):
            session = boto3.session.Session(region_name=self.region)
            if assume_role_arn:
                credentials = session.client("sts").assume_role(
                    RoleArn=assume_role_arn, RoleSessionName=ASSUMED_ROLE_SESSION)["Credentials"]
                session = boto3.session.Session(
                    aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"], region_name=self.region)
        self.session = session
        self._clients = {}
        self._identity = None

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self.session.client(service)
        return self._clients[service]

    @property
    def sagemaker(self):
        return self.client("sagemaker")

    @property
    def s3(self):
        return self.client("s3")

    def identity(self):
        if self._identity is None:
            with aws_errors("reading the caller identity (sts get-caller-identity)"):
                self._identity = self.client("sts").get_caller_identity()
        return self._identity

    @property
    def account(self):
        return self.identity()["Account"]

    def execution_role(self):
        """The role SageMaker runs as when none is given: the caller's own role.

        An assumed role (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) maps to its IAM role,
        whatever the session name; a role ARN is used as it is. An IAM user has no role to lend,
        which is said plainly instead of mlflow's failing get_role on the user's name.
        """
        arn = self.identity()["Arn"]
        kind, _, rest = arn.split(":", 5)[-1].partition("/")
        if kind == "assumed-role":
            role_name = rest.split("/")[0]
            with aws_errors(f"looking up the IAM role {role_name}"):
                return self.client("iam").get_role(RoleName=role_name)["Role"]["Arn"]
        if kind == "role":
            return arn
        raise InvalidParameter(
            f"Cannot choose an execution role: the AWS caller {arn} is not a role. Pass the ARN of a role "
            "SageMaker may assume (--execution-role-arn, or -C execution_role_arn=... for deployments)")

    def default_bucket(self):
        """mlflow-sagemaker-{region}-{account}, created when missing."""
        name = f"mlflow-sagemaker-{self.region}-{self.account}"
        with aws_errors(f"checking the bucket {name}"):
            existing = {b["Name"] for b in self.s3.list_buckets().get("Buckets", [])}
        if name not in existing:
            arguments = {"Bucket": name, "ACL": "bucket-owner-full-control"}
            if self.region != "us-east-1":
                arguments["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            with aws_errors(f"creating the bucket {name}"):
                self.s3.create_bucket(**arguments)
        return name

    def default_image_url(self, image=DEFAULT_IMAGE):
        """The serving image pushed by `mlf sagemaker build-and-push-container` (ECR, tagged with mlf's version)."""
        import os

        from runtime import __version__

        if os.environ.get(IMAGE_URL_ENV):
            return os.environ[IMAGE_URL_ENV]
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            repository = self.client("ecr").describe_repositories(repositoryNames=[image])["repositories"][0]
        except ClientError as exc:
            if error_code(exc) == "RepositoryNotFoundException":
                raise NotFound(f"The ECR repository {image} does not exist in {self.region}: push the serving image "
                               f"with `mlf sagemaker build-and-push-container`, or give --image-url "
                               f"(or {IMAGE_URL_ENV})") from None
            raise as_mlf_error(exc, f"looking up the ECR repository {image}") from None
        except BotoCoreError as exc:
            raise as_mlf_error(exc, f"looking up the ECR repository {image}") from None
        return f"{repository['repositoryUri']}:{__version__}"

    def paged(self, operation, key, **arguments):
        """Every item of a paged SageMaker listing (mlflow read only the first page)."""
        with aws_errors(f"listing ({operation})"):
            for page in self.sagemaker.get_paginator(operation).paginate(**arguments):
                yield from page.get(key, [])
