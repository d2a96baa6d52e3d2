"""`mlf deployments ... -t sagemaker` against moto: endpoints created, read, scored and deleted."""

import json

import pytest

from tests.sagemaker.conftest import ACCOUNT, ROLE_ARN

IMAGE = "1.dkr.ecr.us-east-1.amazonaws.com/mlflow-pyfunc:1"
SETTINGS = ["-C", f"execution_role_arn={ROLE_ARN}", "-C", f"image_url={IMAGE}"]


def _create(mlf, model_dir, name="fraud", *extra, target="sagemaker:/us-east-1"):
    return mlf("deployments", "create", "-t", target, "--name", name, "-m", str(model_dir), *SETTINGS, *extra)


def test_create_get_list_delete(mlf, aws, model_dir):
    created = _create(mlf, model_dir, "fraud", "-C", "instance_type=ml.m5.large", "-C", "instance_count=2",
                      "-C", 'tags={"team": "risk"}')
    assert created.returncode == 0, created.stderr
    assert created.stdout == "\npython_function deployment fraud is created\n"
    sagemaker = aws.client("sagemaker", "us-east-1")
    endpoint = sagemaker.describe_endpoint(EndpointName="fraud")
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert endpoint["EndpointConfigName"].startswith("fraud-config-")
    variant = config["ProductionVariants"][0]
    assert variant["ModelName"].startswith("fraud-model-")
    assert (variant["VariantName"], variant["InstanceType"], variant["InitialInstanceCount"]) == (
        variant["ModelName"], "ml.m5.large", 2)
    assert {"Key": "team", "Value": "risk"} in sagemaker.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["Image"] == IMAGE
    assert model["PrimaryContainer"]["ModelDataUrl"] == (
        f"s3://mlflow-sagemaker-us-east-1-{ACCOUNT}/{variant['ModelName']}/model.tar.gz")

    got = mlf("deployments", "get", "-t", "sagemaker:/us-east-1", "--name", "fraud")
    assert got.returncode == 0, got.stderr
    assert "EndpointName: fraud\n" in got.stdout and got.stdout.endswith("\n\n\n")
    listed = mlf("deployments", "list", "-t", "sagemaker:/us-east-1")
    assert listed.stdout.startswith("List of all deployments:\n[{'EndpointName': 'fraud'")
    again = _create(mlf, model_dir, "fraud")
    assert (again.returncode, again.stderr) == (
        1, "Error: A SageMaker endpoint named fraud already exists in us-east-1: use update to change it\n")

    deleted = mlf("deployments", "delete", "-t", "sagemaker:/us-east-1", "--name", "fraud")
    assert (deleted.returncode, deleted.stdout) == (0, "Deployment fraud is deleted\n"), deleted.stderr
    assert aws.snapshot("us-east-1") == {"buckets": [f"mlflow-sagemaker-us-east-1-{ACCOUNT}"], "models": [],
                                         "configs": [], "endpoints": []}


def test_delete_with_archive_keeps_the_model(mlf, aws, model_dir):
    assert _create(mlf, model_dir, "keep").returncode == 0
    deleted = mlf("deployments", "delete", "-t", "sagemaker:/us-east-1", "--name", "keep", "-C", "archive=True")
    assert deleted.returncode == 0, deleted.stderr
    state = aws.snapshot("us-east-1")
    assert (state["endpoints"], state["configs"], len(state["models"])) == ([], [], 1)


def test_list_reads_every_page(mlf, aws, model_dir):
    sagemaker = aws.client("sagemaker")
    sagemaker.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE})
    sagemaker.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[
        {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.m4.xlarge"}])
    for index in range(120):  # more than one page of list_endpoints (100)
        sagemaker.create_endpoint(EndpointName=f"ep-{index:03d}", EndpointConfigName="c")
    listed = mlf("deployments", "list", "-t", "sagemaker")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("'EndpointName': 'ep-") == 120


def test_predict_sends_json(mlf, aws, model_dir, tmp_path):
    import requests

    assert _create(mlf, model_dir, "scorer").returncode == 0
    requests.post(aws.server.url + "/moto-api/static/sagemaker/endpoint-results", timeout=10, json={
        "results": [{"Body": json.dumps({"predictions": [0.25]}), "ContentType": "application/json"}],
        "region": "us-east-1"}).raise_for_status()
    (tmp_path / "rows.csv").write_text("x,y\n1,2\n")
    aws.start_recording()
    result = mlf("deployments", "predict", "-t", "sagemaker:/us-east-1", "--name", "scorer", "-I",
                 str(tmp_path / "rows.csv"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"predictions": [0.25]}


def test_update_sends_update_endpoint(mlf, aws, model_dir):
    """moto has no update_endpoint: the test checks the request mlf sends and the one-line error."""
    assert _create(mlf, model_dir, "upd").returncode == 0
    aws.start_recording()
    result = mlf("deployments", "update", "-t", "sagemaker:/us-east-1", "--name", "upd", "-m", str(model_dir),
                 *SETTINGS, "-C", "mode=add")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: AWS refused updating the endpoint upd: ")
    assert len(result.stderr.splitlines()) == 1
    state = aws.snapshot("us-east-1")
    assert (len(state["models"]), len(state["configs"])) == (1, 1)  # the new model and config are removed again
    calls = aws.recorded("UpdateEndpoint")
    assert calls and calls[0]["EndpointName"] == "upd"
    created = aws.recorded("CreateEndpointConfig")
    assert [c["EndpointConfigName"] for c in created] == [calls[0]["EndpointConfigName"]]
    assert len(created[0]["ProductionVariants"]) == 2  # mode=add keeps the old variant


def test_role_from_an_assumed_role(mlf, aws, model_dir):
    """With sagemaker:/REGION/ROLE_ARN the calls run as that role, which is also the execution role."""
    iam = aws.client("iam")
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument="{}")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/deployer"
    result = mlf("deployments", "create", "-t", f"sagemaker:/us-east-1/{role_arn}", "--name", "assumed",
                 "-m", str(model_dir), "-C", f"image_url={IMAGE}")
    assert result.returncode == 0, result.stderr
    sagemaker = aws.client("sagemaker", "us-east-1")
    variant = sagemaker.describe_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName="assumed")["EndpointConfigName"])[
        "ProductionVariants"][0]
    assert sagemaker.describe_model(ModelName=variant["ModelName"])["ExecutionRoleArn"] == role_arn


@pytest.mark.parametrize("config, message", [
    (["-C", "bucket_name=b"], "Error: Unknown -C key 'bucket_name' for the sagemaker target (known keys: "),
    (["-C", "archive=true"], "Error: -C archive must be True or False, got 'true'"),
    (["-C", "instance_count=two"], "Error: -C instance_count must be an integer, got 'two'"),
    (["-C", "vpc_config={"], "Error: -C vpc_config must be JSON: "),
    (["-C", "synchronous=False"], "Error: -C synchronous=False needs -C archive=True"),
    (["-C", "noequals"], "Error: Config options must be given as -C key=value or --config key=value (got 'noequals')"),
])
def test_bad_settings_create_nothing(mlf, aws, model_dir, config, message):
    result = _create(mlf, model_dir, "bad", *config)
    assert result.returncode in (1, 2)
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1
    assert aws.snapshot("us-east-1") == {"buckets": [], "models": [], "configs": [], "endpoints": []}


def test_help_and_unsupported(mlf, aws, tmp_path):
    shown = mlf("deployments", "help", "-t", "sagemaker")
    assert shown.returncode == 0
    assert shown.stdout.startswith("    Target sagemaker: Amazon SageMaker endpoints.\n")
    (tmp_path / "rows.json").write_text('{"x": [1]}')
    explain = mlf("deployments", "explain", "-t", "sagemaker", "--name", "x", "-I", str(tmp_path / "rows.json"))
    assert explain.returncode == 1
    assert explain.stderr == ('Error: The "sagemaker" target does not support explain (explanations are not '
                              "supported by this target)\n")
    missing = mlf("deployments", "get", "-t", "sagemaker", "--name", "nosuch")
    assert (missing.returncode, missing.stderr) == (1, "Error: No SageMaker endpoint named nosuch in us-west-2\n")


def test_run_local_checks_the_model_then_needs_docker(mlf, aws, model_dir):
    (model_dir / "MLmodel").write_text("flavors:\n  sklearn:\n    pickled_model: model.pkl\n")
    refused = mlf("deployments", "run-local", "-t", "sagemaker", "--name", "n", "-m", str(model_dir))
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"Error: The model {model_dir} has no python_function flavor")
    (model_dir / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: x\n")
    no_docker = mlf("deployments", "run-local", "-t", "sagemaker", "--name", "n", "-m", str(model_dir),
                    env={"PATH": "/nonexistent"})
    assert (no_docker.returncode, no_docker.stderr) == (1, "Error: The docker command was not found: run-local needs "
                                                           "Docker\n")
    bad_key = mlf("deployments", "run-local", "-t", "sagemaker", "--name", "n", "-m", str(model_dir), "-C", "x=1")
    assert bad_key.stderr == "Error: run-local takes only -C image and -C port, not x\n"
