"""Every `mlf deployments` command against the seed's faketarget: mlflow's outputs where mlflow
works, and the fixed ones where mlflow 3.17.2 crashes (predict, create-endpoint, --target-name)."""

import json

import pytest

FAKE = ["-t", "faketarget"]


@pytest.mark.parametrize("args, stdout", [
    (["create", "--name", "n", "-m", "models:/m/1", "-f", "fl"], "\nfl deployment fake_deployment_name is created\n"),
    (["create", "--name", "n", "-m", "m", "--endpoint", "e"], "\nNone deployment fake_deployment_name is created\n"),
    (["update", "--name", "n", "-f", "fl"], "Deployment n is updated (with flavor fl)\n"),
    (["delete", "--name", "n"], "Deployment n is deleted\n"),
    (["list"], "List of all deployments:\n[{'name': 'fake_deployment_name'}]\n"),
    (["get", "--name", "n"], "key1: val1\nkey2: val2\n\n\n"),
    (["help"], "Target help is called\n"),
    (["run-local", "--name", "n", "-m", "m", "-f", "fl", "-C", "k=v"],
     "Deployed locally at the key n using the model from m. It's flavor is fl and config is {'k': 'v'}\n"),
    (["create-endpoint", "--endpoint", "e"], "\nEndpoint fake_endpoint_name is created\n"),
    (["update-endpoint", "--endpoint", "e", "-C", "a=b"], "\nEndpoint e is updated\n"),
    (["delete-endpoint", "--endpoint", "e"], "\nEndpoint e is deleted\n"),
    (["list-endpoints"], "List of all endpoints:\n[{'name': 'fake_endpoint_name'}]\n"),
    (["get-endpoint", "--endpoint", "e"], "name: fake_endpoint_name\n\n\n"),
])
def test_outputs(mlf, args, stdout):
    result = mlf("deployments", *args, *FAKE)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == stdout


def test_target_name_is_accepted_by_help(mlf):
    result = mlf("deployments", "help", "--target-name", "faketarget")
    assert (result.returncode, result.stdout) == (0, "Target help is called\n")


@pytest.mark.parametrize("command", ["predict", "explain"])
def test_scoring_prints_json_from_json_or_csv(mlf, tmp_path, command):
    (tmp_path / "rows.json").write_text(json.dumps({"a": [1, 2], "b": [3, 4]}))
    (tmp_path / "rows.csv").write_text("a,b\n1,3\n2,4\n")
    for name in ("rows.json", "rows.csv"):
        result = mlf("deployments", command, *FAKE, "--name", "n", "-I", str(tmp_path / name))
        assert (result.returncode, result.stderr, result.stdout) == (0, "", '"1"\n')
    result = mlf("deployments", command, *FAKE, "--endpoint", "e", "-I", str(tmp_path / "rows.json"),
                 "-O", str(tmp_path / "out.json"))
    assert (result.returncode, result.stdout) == (0, "")
    assert json.loads((tmp_path / "out.json").read_text()) == "1"


def test_predict_reads_standard_input(mlf):
    result = mlf("deployments", "predict", *FAKE, "--name", "n", "-I", "-", input='{"a": [1]}')
    assert (result.returncode, result.stdout) == (0, '"1"\n')


@pytest.mark.parametrize("args, code, message", [
    (["predict", "-I", "x.json"], 2, "Error: Must specify exactly one of --name or --endpoint."),
    (["predict", "--name", "n", "--endpoint", "e", "-I", "x.json"], 2,
     "Error: Must specify exactly one of --name or --endpoint."),
    (["predict", "--name", "n", "-I", "missing.json"], 1, "Error: Input file missing.json does not exist"),
    (["create", "--name", "n", "-m", "m", "-C", "novalue"], 2,
     "Error: Config options must be given as -C key=value or --config key=value (got 'novalue')"),
    (["create", "--name", "n", "-m", "m", "-C", "k=1", "-C", "k=2"], 1, "Error: Repeated parameter: 'k'"),
    (["create", "--name", "n", "-m", "m", "-C", "raiseError=True"], 1,
     'Error: create failed on target "faketarget": RuntimeError: raiseError is set to True'),
    (["create-endpoint", "--endpoint", "e", "-C", "raiseError=True"], 1,
     'Error: create-endpoint failed on target "faketarget": RuntimeError: raiseError is set to True'),
    (["list"], 1, 'Error: list failed on target "faketarget": RuntimeError: raiseError is set to True'),
    (["get"], 2, "Error: Missing option '--name'."),
])
def test_bad_input_is_one_line(mlf, tmp_path, args, code, message):
    result = mlf("deployments", *args, *FAKE, env={"raiseError": "True"})
    assert result.returncode == code
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [message]


def test_config_splits_at_the_first_equals_and_keeps_strings(mlf):
    result = mlf("deployments", "run-local", *FAKE, "--name", "n", "-m", "m", "-C", "a=b=c", "-C", "n=1")
    assert result.stdout.endswith("config is {'a': 'b=c', 'n': '1'}\n")


def test_bad_json_input_is_one_line(mlf, tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    result = mlf("deployments", "predict", *FAKE, "--name", "n", "-I", str(tmp_path / "bad.json"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: Input file {tmp_path / 'bad.json'} is not valid JSON")
    assert len(result.stderr.strip().splitlines()) == 1
