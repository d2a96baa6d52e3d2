"""SageMaker endpoints behind `mlf deployments ... -t sagemaker[:/region[/role_arn]]`.

create makes a SageMaker model, an endpoint config and the endpoint; update deploys a new
model into a new endpoint config (mode replace, or add as another production variant) and
switches the endpoint to it; delete removes the endpoint, its config and, unless archived,
its models and their archives. -C settings are checked: unknown keys and misspelt booleans
are refused instead of being ignored.
"""

import json

from runtime.errors import AlreadyExists, InvalidParameter, NotFound
from runtime.sagemaker import model_archive
from runtime.sagemaker.aws import Aws, aws_errors, error_code, resource_name
from runtime.sagemaker.polling import wait_for

STRING_KEYS = ("assume_role_arn", "execution_role_arn", "bucket", "image_url", "region_name", "instance_type",
               "variant_name", "mode")
BOOL_KEYS = ("archive", "synchronous")
INT_KEYS = ("instance_count", "timeout_seconds")
JSON_KEYS = ("vpc_config", "data_capture_config", "env", "tags", "async_inference_config", "serverless_config")
MODES = ("create", "add", "replace")
DEFAULTS = {"instance_type": "ml.m4.xlarge", "instance_count": 1, "archive": False, "synchronous": True,
            "timeout_seconds": 1200}
DELETE_TIMEOUT_S = 300


def parse_settings(config):
    """-C strings -> typed settings; booleans are True or False exactly (mlflow took 'true' as False)."""
    settings = {}
    for key, value in (config or {}).items():
        if key in STRING_KEYS:
            settings[key] = value
        elif key in BOOL_KEYS:
            if value not in ("True", "False"):
                raise InvalidParameter(f"-C {key} must be True or False, got {value!r}")
            settings[key] = value == "True"
        elif key in INT_KEYS:
            try:
                settings[key] = int(value)
            except ValueError:
                raise InvalidParameter(f"-C {key} must be an integer, got {value!r}") from None
        elif key in JSON_KEYS:
            try:
                settings[key] = json.loads(value) if isinstance(value, str) else value
            except ValueError as exc:
                raise InvalidParameter(f"-C {key} must be JSON: {exc}") from None
        else:
            known = ", ".join(STRING_KEYS + BOOL_KEYS + INT_KEYS + JSON_KEYS)
            raise InvalidParameter(f"Unknown -C key {key!r} for the sagemaker target (known keys: {known})")
    if "mode" in settings and settings["mode"] not in MODES:
        raise InvalidParameter(f"-C mode must be one of {', '.join(MODES)}, got {settings['mode']!r}")
    if not settings.get("synchronous", True) and not settings.get("archive", False):
        raise InvalidParameter("-C synchronous=False needs -C archive=True: resources that are not waited for "
                               "cannot be cleaned up")
    return {**DEFAULTS, **settings}


def parse_target_uri(target_uri):
    """sagemaker, sagemaker:/region or sagemaker:/region/role_arn -> (region, assume_role_arn)."""
    from urllib.parse import urlparse

    parsed = urlparse(target_uri)
    if not parsed.scheme:  # the bare target name
        return None, None
    if parsed.netloc:
        raise InvalidParameter(f"Bad sagemaker target {target_uri!r}: use sagemaker, sagemaker:/REGION or "
                               "sagemaker:/REGION/ROLE_ARN")
    region, _, role = parsed.path.strip("/").partition("/")
    return region or None, role or None


class Endpoints:
    def __init__(self, target_uri):
        self.region, self.assume_role_arn = parse_target_uri(target_uri)

    def aws(self, settings):
        return Aws(settings.get("region_name") or self.region,
                   settings.get("assume_role_arn") or self.assume_role_arn)

    # ---- endpoint state ----------------------------------------------------------------------
    @staticmethod
    def describe(aws, name):
        from botocore.exceptions import ClientError

        try:
            return aws.sagemaker.describe_endpoint(EndpointName=name)
        except ClientError as exc:
            if error_code(exc) in ("ValidationException", "ResourceNotFound"):
                raise NotFound(f"No SageMaker endpoint named {name} in {aws.region}") from None
            raise

    def exists(self, aws, name):
        return any(e["EndpointName"] == name for e in aws.paged("list_endpoints", "Endpoints", NameContains=name))

    def _wait_in_service(self, aws, name, timeout):
        def status():
            description = self.describe(aws, name)
            return description["EndpointStatus"], description.get("FailureReason")

        wait_for(status, f"the endpoint {name}", ("InService",), ("Creating", "Updating", "SystemUpdating"), timeout)

    # ---- the pieces ----------------------------------------------------------------------------
    def _new_model(self, aws, name, model_path, flavor, model_uri, settings):
        image_url = settings.get("image_url") or aws.default_image_url()
        role_arn = settings.get("execution_role_arn") or aws.execution_role()
        bucket = settings.get("bucket") or aws.default_bucket()
        model_name = resource_name(name, "model")
        data_url = model_archive.upload_model(aws, model_path, bucket, model_name)
        model_archive.create_model(aws, model_name, image_url, data_url, flavor, role_arn, model_uri,
                                   settings.get("vpc_config"), settings.get("env"))
        return model_name

    def _variant(self, model_name, settings):
        variant = {"VariantName": settings.get("variant_name") or model_name, "ModelName": model_name,
                   "InitialVariantWeight": 1}
        if settings.get("serverless_config"):
            variant["ServerlessConfig"] = settings["serverless_config"]
        else:
            variant.update(InstanceType=settings["instance_type"], InitialInstanceCount=settings["instance_count"])
        return variant

    def _new_config(self, aws, name, variants, settings):
        config_name = resource_name(name, "config")
        arguments = {"EndpointConfigName": config_name, "ProductionVariants": variants,
                     "Tags": [{"Key": "app_name", "Value": name}]}
        if settings.get("data_capture_config"):
            arguments["DataCaptureConfig"] = settings["data_capture_config"]
        if settings.get("async_inference_config"):
            arguments["AsyncInferenceConfig"] = settings["async_inference_config"]
        with aws_errors(f"creating the endpoint config {config_name}"):
            aws.sagemaker.create_endpoint_config(**arguments)
        return config_name

    def _tags(self, name, settings):
        extra = settings.get("tags") or {}
        if not isinstance(extra, dict):
            raise InvalidParameter("-C tags must be a JSON object of tag names and values")
        return [{"Key": "app_name", "Value": name}] + [{"Key": str(k), "Value": str(v)} for k, v in extra.items()]

    # ---- operations ----------------------------------------------------------------------------
    def create(self, name, model_uri, flavor, config):
        settings = parse_settings(config)
        with model_archive.checked_model(model_uri, flavor) as (model_path, flavor):
            aws = self.aws(settings)
            if self.exists(aws, name):
                raise AlreadyExists(f"A SageMaker endpoint named {name} already exists in {aws.region}: "
                                    "use update to change it")
            model_name = self._new_model(aws, name, model_path, flavor, model_uri, settings)
        config_name = self._new_config(aws, name, [self._variant(model_name, settings)], settings)
        with aws_errors(f"creating the endpoint {name}"):
            aws.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config_name,
                                          Tags=self._tags(name, settings))
        if settings["synchronous"]:
            self._wait_in_service(aws, name, settings["timeout_seconds"])
        return {"name": name, "flavor": flavor}

    def update(self, name, model_uri, flavor, config):
        settings = parse_settings(config)
        mode = settings.get("mode", "replace")
        if mode == "create":
            raise InvalidParameter("-C mode=create does not update an endpoint: use add or replace")
        if model_uri is None:
            raise InvalidParameter("The sagemaker target updates an endpoint by deploying a model: give --model-uri")
        with model_archive.checked_model(model_uri, flavor) as (model_path, flavor):
            aws = self.aws(settings)
            with aws_errors(f"reading the endpoint {name}"):
                old_config_name = self.describe(aws, name)["EndpointConfigName"]
                old_config = aws.sagemaker.describe_endpoint_config(EndpointConfigName=old_config_name)
            model_name = self._new_model(aws, name, model_path, flavor, model_uri, settings)
        old_variants = old_config["ProductionVariants"]
        new_variant = self._variant(model_name, settings)
        variants = ([{k: v for k, v in variant.items() if k != "CurrentWeight"} for variant in old_variants]
                    + [new_variant] if mode == "add" else [new_variant])
        config_name = self._new_config(aws, name, variants, settings)
        try:
            with aws_errors(f"updating the endpoint {name}"):
                aws.sagemaker.update_endpoint(EndpointName=name, EndpointConfigName=config_name)
        except Exception:
            self._delete_config(aws, config_name, [model_name], settings["archive"])  # the switch never happened
            raise
        if settings["synchronous"]:
            self._wait_in_service(aws, name, settings["timeout_seconds"])
            if mode == "replace":
                self._delete_config(aws, old_config_name, [v["ModelName"] for v in old_variants], settings["archive"])
        return {"name": name, "flavor": flavor}

    def _delete_config(self, aws, config_name, model_names, archive):
        with aws_errors(f"deleting the endpoint config {config_name}"):
            aws.sagemaker.delete_endpoint_config(EndpointConfigName=config_name)
        if not archive:
            for model_name in model_names:
                model_archive.delete_model_and_archive(aws, model_name)

    def delete(self, name, config):
        settings = parse_settings(config)
        aws = self.aws(settings)
        with aws_errors(f"reading the endpoint {name}"):
            config_name = self.describe(aws, name)["EndpointConfigName"]
            variants = aws.sagemaker.describe_endpoint_config(EndpointConfigName=config_name)["ProductionVariants"]
        with aws_errors(f"deleting the endpoint {name}"):
            aws.sagemaker.delete_endpoint(EndpointName=name)
        if settings["synchronous"]:
            self._wait_deleted(aws, name, int((config or {}).get("timeout_seconds") or DELETE_TIMEOUT_S))
        self._delete_config(aws, config_name, [v["ModelName"] for v in variants], settings["archive"])

    def _wait_deleted(self, aws, name, timeout):
        def status():
            try:
                return self.describe(aws, name)["EndpointStatus"], None
            except NotFound:
                return "Deleted", None

        wait_for(status, f"deleting the endpoint {name}", ("Deleted",), ("Deleting", "InService", "Creating",
                                                                            "Updating", "Failed"), timeout)

    def list(self):
        return list(Aws(self.region, self.assume_role_arn).paged("list_endpoints", "Endpoints"))

    def get(self, name):
        aws = Aws(self.region, self.assume_role_arn)
        with aws_errors(f"reading the endpoint {name}"):
            description = self.describe(aws, name)
        description.pop("ResponseMetadata", None)
        return description

    def predict(self, name, inputs):
        aws = Aws(self.region, self.assume_role_arn)
        body = json.dumps(inputs)
        with aws_errors(f"invoking the endpoint {name}"):
            response = aws.client("sagemaker-runtime").invoke_endpoint(
                EndpointName=name, Body=body, ContentType="application/json")
        text = response["Body"].read().decode("utf-8")
        try:
            return json.loads(text)
        except ValueError:
            return text
