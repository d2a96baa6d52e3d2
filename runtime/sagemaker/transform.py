"""`mlf sagemaker deploy-transform-job`, `terminate-transform-job` and `push-model`.

The call order is mlflow's: name check, model upload and SageMaker Model, transform job,
polling, then clean-up of the model and its archive unless --archive.
"""

from runtime.errors import AlreadyExists, NotFound, UsageError
from runtime.sagemaker import model_archive
from runtime.sagemaker.aws import Aws, as_mlf_error, aws_errors, error_code, resource_name
from runtime.sagemaker.polling import wait_for

TRANSFORM_JOB_ENDED = ("Completed",)
TRANSFORM_JOB_RUNNING = ("InProgress",)


def check_async(archive, synchronous, command):
    if not synchronous and not archive:
        raise UsageError(f"--async needs --archive: {command} cannot clean up resources it does not wait for")


def _job_exists(aws, job_name):
    return any(job["TransformJobName"] == job_name
               for job in aws.paged("list_transform_jobs", "TransformJobSummaries", NameContains=job_name))


def _model_resources(aws, model_path, flavor, model_uri, model_name, bucket, image_url, role_arn, vpc_config):
    image_url = image_url or aws.default_image_url()
    role_arn = role_arn or aws.execution_role()
    bucket = bucket or aws.default_bucket()
    data_url = model_archive.upload_model(aws, model_path, bucket, model_name)
    return model_archive.create_model(aws, model_name, image_url, data_url, flavor, role_arn, model_uri, vpc_config)


def deploy_transform_job(job_name, model_uri, input_data_type, input_uri, content_type, output_path,
                         compression_type, split_type, accept, assemble_with, input_filter, output_filter,
                         join_resource, execution_role_arn, bucket, image_url, region_name, instance_type,
                         instance_count, vpc_config, flavor, archive, synchronous, timeout):
    check_async(archive, synchronous, "deploy-transform-job")
    vpc = model_archive.read_vpc_config(vpc_config)
    with model_archive.checked_model(model_uri, flavor) as (model_path, flavor):
        aws = Aws(region_name)
        if _job_exists(aws, job_name):
            raise AlreadyExists(f"A batch transform job named {job_name} already exists in {aws.region}")
        model_name = resource_name(job_name, "model")
        _model_resources(aws, model_path, flavor, model_uri, model_name, bucket, image_url, execution_role_arn, vpc)
    try:
        _create_transform_job(aws, job_name, model_name, input_data_type, input_uri, content_type, output_path,
                              compression_type, split_type, accept, assemble_with, input_filter, output_filter,
                              join_resource, instance_type, instance_count)
    except Exception:
        if not archive:  # the job never started: leave nothing behind
            model_archive.delete_model_and_archive(aws, model_name)
        raise
    if not synchronous:
        return f"Batch transform job {job_name} started in {aws.region} (model {model_name} is kept)"
    try:
        wait_for(lambda: _job_status(aws, job_name), f"the batch transform job {job_name}", TRANSFORM_JOB_ENDED,
                 TRANSFORM_JOB_RUNNING, timeout)
    finally:
        if not archive:
            model_archive.delete_model_and_archive(aws, model_name)
    kept = f"; SageMaker model {model_name} is kept" if archive else ""
    return f"Batch transform job {job_name} completed; its output is in {output_path}{kept}"


def _create_transform_job(aws, job_name, model_name, input_data_type, input_uri, content_type, output_path,
                          compression_type, split_type, accept, assemble_with, input_filter, output_filter,
                          join_resource, instance_type, instance_count):
    with aws_errors(f"creating the batch transform job {job_name}"):
        aws.sagemaker.create_transform_job(
            TransformJobName=job_name,
            ModelName=model_name,
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": input_data_type, "S3Uri": input_uri}},
                            "ContentType": content_type, "CompressionType": compression_type,
                            "SplitType": split_type},
            TransformOutput={"S3OutputPath": output_path, "Accept": accept, "AssembleWith": assemble_with},
            TransformResources={"InstanceType": instance_type, "InstanceCount": instance_count},
            DataProcessing={"InputFilter": input_filter, "OutputFilter": output_filter, "JoinSource": join_resource},
            Tags=[{"Key": "model_name", "Value": model_name}],
        )


def _job_status(aws, job_name):
    with aws_errors(f"reading the batch transform job {job_name}"):
        job = aws.sagemaker.describe_transform_job(TransformJobName=job_name)
    return job["TransformJobStatus"], job.get("FailureReason")


def terminate_transform_job(job_name, region_name, archive, synchronous, timeout):
    check_async(archive, synchronous, "terminate-transform-job")
    aws = Aws(region_name)
    from botocore.exceptions import ClientError

    try:
        job = aws.sagemaker.describe_transform_job(TransformJobName=job_name)
    except ClientError as exc:
        if error_code(exc) in ("ValidationException", "ResourceNotFound"):
            raise NotFound(f"No batch transform job named {job_name} in {aws.region}") from None
        raise as_mlf_error(exc, f"reading the batch transform job {job_name}") from None
    with aws_errors(f"stopping the batch transform job {job_name}"):
        aws.sagemaker.stop_transform_job(TransformJobName=job_name)
    if not synchronous:
        return f"Stopping batch transform job {job_name} (model {job['ModelName']} is kept)"
    wait_for(lambda: _job_status(aws, job_name), f"stopping the batch transform job {job_name}", ("Stopped",),
             ("Stopping", "InProgress"), timeout)
    if not archive:
        model_archive.delete_model_and_archive(aws, job["ModelName"])
    return f"Batch transform job {job_name} is stopped"


def push_model(model_name, model_uri, execution_role_arn, bucket, image_url, region_name, vpc_config, flavor):
    vpc = model_archive.read_vpc_config(vpc_config)
    with model_archive.checked_model(model_uri, flavor) as (model_path, flavor):
        aws = Aws(region_name)
        _refuse_existing_model(aws, model_name)
        arn = _model_resources(aws, model_path, flavor, model_uri, model_name, bucket, image_url,
                               execution_role_arn, vpc)
    return f"Created SageMaker model with arn: {arn}"


def _refuse_existing_model(aws, model_name):
    from botocore.exceptions import ClientError

    try:
        aws.sagemaker.describe_model(ModelName=model_name)
    except ClientError as exc:
        if "Could not find model" in str(exc) or error_code(exc) in ("ValidationException", "ResourceNotFound"):
            return
        raise as_mlf_error(exc, f"checking for the SageMaker model {model_name}") from None
    raise AlreadyExists(f"A SageMaker model named {model_name} already exists in {aws.region}")
