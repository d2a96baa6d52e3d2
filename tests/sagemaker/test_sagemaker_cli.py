"""`mlf sagemaker ...` end to end against moto in server mode (real AWS wire protocol on loopback)."""

import io
import tarfile

import pytest

from tests.sagemaker.conftest import ACCOUNT, ROLE_ARN

BUCKET = f"mlflow-sagemaker-us-west-2-{ACCOUNT}"


def _transform_args(model_dir, job="nightly", *extra):
    return ["sagemaker", "deploy-transform-job", "-n", job, "-m", str(model_dir), "--input-data-type", "S3Prefix",
            "-u", "s3://data/in/", "--content-type", "text/csv", "-o", "s3://data/out/", "-e", ROLE_ARN,
            "-i", "1.dkr.ecr.us-west-2.amazonaws.com/mlflow-pyfunc:1", *extra]


def _archive_names(aws, bucket, key):
    body = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        return sorted(archive.getnames())


def test_deploy_transform_job_archived(mlf, aws, model_dir):
    result = mlf(*_transform_args(model_dir, "nightly", "--archive", "--split-type", "None", "-c", "2"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Batch transform job nightly completed; its output is in s3://data/out/; "
                                    "SageMaker model nightly-model-")
    sagemaker = aws.client("sagemaker")
    job = sagemaker.describe_transform_job(TransformJobName="nightly")
    model_name = job["ModelName"]
    assert model_name.startswith("nightly-model-") and len(model_name) == len("nightly-model-") + 20
    assert job["TransformInput"] == {
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://data/in/"}},
        "ContentType": "text/csv", "CompressionType": "None", "SplitType": "None"}
    assert job["TransformOutput"] == {"S3OutputPath": "s3://data/out/", "Accept": "text/csv", "AssembleWith": "Line"}
    assert job["TransformResources"] == {"InstanceType": "ml.m4.xlarge", "InstanceCount": 2}
    assert job["DataProcessing"] == {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "None"}
    assert sagemaker.list_tags(ResourceArn=job["TransformJobArn"])["Tags"] == [{"Key": "model_name",
                                                                                 "Value": model_name}]
    model = sagemaker.describe_model(ModelName=model_name)
    assert model["ExecutionRoleArn"] == ROLE_ARN
    assert model["PrimaryContainer"]["Image"] == "1.dkr.ecr.us-west-2.amazonaws.com/mlflow-pyfunc:1"
    assert model["PrimaryContainer"]["ModelDataUrl"] == f"s3://{BUCKET}/{model_name}/model.tar.gz"
    assert model["PrimaryContainer"]["Environment"] == {"MLFLOW_DEPLOYMENT_FLAVOR_NAME": "python_function",
                                                        "SERVING_ENVIRONMENT": "SageMaker"}
    assert sagemaker.list_tags(ResourceArn=model["ModelArn"])["Tags"] == [{"Key": "model_uri",
                                                                           "Value": str(model_dir)}]
    key = f"{model_name}/model.tar.gz"
    assert _archive_names(aws, BUCKET, key) == ["MLmodel", "data", "data/weights.txt", "requirements.txt"]
    assert aws.client("s3").get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"] == [
        {"Key": "SageMaker", "Value": "true"}]


def test_deploy_transform_job_cleans_up_without_archive(mlf, aws, model_dir):
    result = mlf(*_transform_args(model_dir, "daily"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert aws.snapshot()["models"] == []
    assert aws.client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert aws.client("sagemaker").describe_transform_job(TransformJobName="daily")["TransformJobStatus"] == "Completed"


def test_deploy_transform_job_refuses_an_existing_name(mlf, aws, model_dir):
    assert mlf(*_transform_args(model_dir, "dup", "--archive")).returncode == 0
    before = aws.snapshot()
    result = mlf(*_transform_args(model_dir, "dup", "--archive"))
    assert (result.returncode, result.stderr) == (1, "Error: A batch transform job named dup already exists in us-west-2\n")
    assert aws.snapshot() == before


def test_defaults_image_from_ecr_and_region(mlf, aws, model_dir):
    repository = aws.client("ecr", "eu-west-1").create_repository(repositoryName="mlflow-pyfunc")["repository"]
    result = mlf("sagemaker", "push-model", "-n", "fraud-v3", "-m", str(model_dir), "-e", ROLE_ARN,
                 "--region-name", "eu-west-1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Created SageMaker model with arn: arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model/fraud-v3\n"
    from runtime import __version__

    model = aws.client("sagemaker", "eu-west-1").describe_model(ModelName="fraud-v3")
    assert model["PrimaryContainer"]["Image"] == f"{repository['repositoryUri']}:{__version__}"
    bucket = f"mlflow-sagemaker-eu-west-1-{ACCOUNT}"
    assert aws.client("s3").get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"
    assert _archive_names(aws, bucket, "fraud-v3/model.tar.gz")[0] == "MLmodel"
    again = mlf("sagemaker", "push-model", "-n", "fraud-v3", "-m", str(model_dir), "-e", ROLE_ARN,
                "--region-name", "eu-west-1")
    assert (again.returncode, again.stderr) == (1, "Error: A SageMaker model named fraud-v3 already exists in eu-west-1\n")


def test_image_url_from_the_environment(mlf, aws, model_dir):
    result = mlf("sagemaker", "push-model", "-n", "m1", "-m", str(model_dir), "-e", ROLE_ARN,
                 env={"MLFLOW_SAGEMAKER_DEPLOY_IMG_URL": "my.registry/serving:7"})
    assert result.returncode == 0, result.stderr
    assert aws.client("sagemaker").describe_model(ModelName="m1")["PrimaryContainer"]["Image"] == "my.registry/serving:7"


def test_terminate_transform_job_sends_stop(mlf, aws, model_dir):
    """moto has no stop_transform_job: the test checks the request mlf sends and the one-line error."""
    assert mlf(*_transform_args(model_dir, "longjob", "--archive")).returncode == 0
    aws.start_recording()
    result = mlf("sagemaker", "terminate-transform-job", "-n", "longjob")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: AWS refused stopping the batch transform job longjob: ")
    assert len(result.stderr.splitlines()) == 1
    calls = aws.recorded("StopTransformJob")  # botocore retries moto's 500, so the same call may repeat
    assert calls and all(call == {"TransformJobName": "longjob"} for call in calls)


def test_terminate_unknown_job(mlf, aws):
    result = mlf("sagemaker", "terminate-transform-job", "-n", "nosuch", "-r", "us-east-1")
    assert (result.returncode, result.stderr) == (1, "Error: No batch transform job named nosuch in us-east-1\n")


@pytest.mark.parametrize("command", ["deploy-transform-job", "terminate-transform-job"])
def test_async_needs_archive(mlf, aws, model_dir, command):
    args = _transform_args(model_dir)[2:] if command == "deploy-transform-job" else ["-n", "job"]
    result = mlf("sagemaker", command, *args, "--async")
    assert result.returncode == 2
    assert result.stderr == (f"Error: --async needs --archive: {command} cannot clean up resources it does not "
                             "wait for\n")


def test_async_deploy_returns_at_once(mlf, aws, model_dir):
    result = mlf(*_transform_args(model_dir, "bg", "--archive", "--async"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Batch transform job bg started in us-west-2 (model bg-model-")


@pytest.mark.parametrize("case", ["no-mlmodel", "sklearn-only", "flavor-option", "no-credentials", "iam-user",
                                  "bad-vpc"])
def test_bad_input_creates_nothing(mlf, aws, model_dir, tmp_path, case):
    args = _transform_args(model_dir)
    env = None
    expected = None
    if case == "no-mlmodel":
        (model_dir / "MLmodel").unlink()
        expected = f"Error: {model_dir} is not an MLflow model: it has no MLmodel file\n"
    elif case == "sklearn-only":
        (model_dir / "MLmodel").write_text("flavors:\n  sklearn:\n    pickled_model: model.pkl\n")
        expected = (f"Error: The model {model_dir} has no python_function flavor (it has sklearn); SageMaker serves "
                    "only python_function models\n")
    elif case == "flavor-option":
        args += ["-f", "sklearn"]
        expected = "Error: SageMaker serves only the python_function flavor, not 'sklearn'\n"
    elif case == "no-credentials":
        env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None}
        expected = ("Error: No AWS credentials found while listing (list_transform_jobs): configure them "
                    "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials)\n")
    elif case == "iam-user":
        args.remove("-e")
        args.remove(ROLE_ARN)
        expected = (f"Error: Cannot choose an execution role: the AWS caller arn:aws:sts::{ACCOUNT}:user/moto is not "
                    "a role. Pass the ARN of a role SageMaker may assume (--execution-role-arn, or -C "
                    "execution_role_arn=... for deployments)\n")
    elif case == "bad-vpc":
        (tmp_path / "vpc.json").write_text("[1, 2")
        args += ["-v", str(tmp_path / "vpc.json")]
    result = mlf(*args, env=env)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    if expected:
        assert result.stderr == expected
    assert aws.snapshot() == {"buckets": [], "models": [], "configs": [], "endpoints": []}
    assert aws.client("sagemaker").list_transform_jobs()["TransformJobSummaries"] == []


def test_build_and_push_without_docker_is_one_line(mlf, aws):
    result = mlf("sagemaker", "build-and-push-container", env={"PATH": "/nonexistent"})
    assert (result.returncode, result.stderr) == (
        1, "Error: The docker command was not found: build-and-push-container needs Docker\n")
    nothing = mlf("sagemaker", "build-and-push-container", "--no-build", "--no-push")
    assert (nothing.returncode, nothing.stdout) == (0, "skipping both build and push, have nothing to do!\n")


def test_build_context(tmp_path):
    from runtime.sagemaker.container import ENTRYPOINT_NAME, write_build_context

    dockerfile = write_build_context(str(tmp_path / "ctx"), "virtualenv", install_java=True)
    text = open(dockerfile).read()
    assert "RUN pip install --no-cache-dir /opt/mlf/src" in text
    assert "default-jre-headless" in text
    assert "EXPOSE 8080" in text
    assert f'ENTRYPOINT ["/usr/local/bin/{ENTRYPOINT_NAME}"]' in text
    script = (tmp_path / "ctx" / ENTRYPOINT_NAME).read_text()
    assert "mlf models serve -m /opt/ml/model --host 0.0.0.0 --port 8080" in script
    assert (tmp_path / "ctx" / "mlf-src" / "runtime" / "cli" / "main.py").exists()


FAKE_DOCKER = """#!/bin/sh
# A stand-in for the docker command: records each call (and what login reads on stdin), succeeds.
echo "$@" >> "$DOCKER_LOG"
if [ "$1" = login ]; then echo "stdin=$(cat)" >> "$DOCKER_LOG"; fi
if [ "$1" = build ]; then for last; do true; done; ls "$last" >> "$DOCKER_LOG"; fi
exit 0
"""


def test_build_and_push_runs_docker_and_logs_in_through_ecr(mlf, aws, tmp_path):
    """Docker cannot be emulated: a stand-in docker records the commands; ECR is moto's."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    log = tmp_path / "docker.log"
    import os

    result = mlf("sagemaker", "build-and-push-container", "--network", "host",
                 env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "DOCKER_LOG": str(log), "AWS_DEFAULT_REGION": "eu-west-1"})
    assert result.returncode == 0, result.stderr
    from runtime import __version__

    repository = aws.client("ecr", "eu-west-1").describe_repositories(repositoryNames=["mlflow-pyfunc"])[
        "repositories"][0]["repositoryUri"]
    assert result.stdout == f"Pushed {repository}:{__version__}\n"
    lines = log.read_text().splitlines()
    assert lines[0] == "info"
    assert lines[1].startswith("build -t mlflow-pyfunc --network host /tmp")
    assert {"Dockerfile", "mlf-src", "sagemaker-entrypoint.sh"} <= set(lines[2:5])
    login = lines.index(f"login --username AWS --password-stdin {repository.split('/')[0]}")
    assert lines[login + 1].startswith("stdin=") and len(lines[login + 1]) > len("stdin=")
    assert lines[login + 2:] == [f"tag mlflow-pyfunc {repository}:{__version__}", f"push {repository}:{__version__}"]
