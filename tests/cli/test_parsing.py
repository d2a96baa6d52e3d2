"""Staged parsing, help, value precedence and usage errors, without touching a store."""

import io

import pytest

from runtime.cli import values
from runtime.cli.main import run
from runtime.errors import UsageError
from tests.cli.helpers import mlf


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_version():
    code, out, _ = _run("--version")
    assert code == 0 and out.startswith("mlf, version ")


def test_root_help_lists_groups():
    code, out, _ = _run("--help")
    assert code == 0
    for word in ("experiments", "runs", "artifacts", "gc", "db"):
        assert f"\n  {word} " in out


def test_bare_group_prints_help_and_exits_2():
    code, out, _ = _run("runs")
    assert code == 2 and "Commands:" in out and "describe" in out


def test_unknown_command_suggests():
    with pytest.raises(UsageError, match="Did you mean 'create'"):
        _run("experiments", "creat")


def test_unknown_option_is_usage_error():
    with pytest.raises(UsageError, match="unrecognized arguments: --bogus"):
        _run("experiments", "search", "--bogus")


def test_bad_choice_is_usage_error():
    with pytest.raises(UsageError, match="is not one of"):
        _run("experiments", "get", "-x", "0", "--output", "yaml")


def test_bad_int_is_usage_error():
    with pytest.raises(UsageError, match="not a valid integer"):
        _run("experiments", "search", "--max-results", "ten")


def test_missing_required_names_env_var():
    with pytest.raises(UsageError, match=r"--experiment-id.*MLFLOW_EXPERIMENT_ID"):
        values.resolve([{"dest": "experiment_id", "flags": ["--experiment-id"], "type": "string",
                         "required": True, "envvar": "MLFLOW_EXPERIMENT_ID"}], {}, environ={})


SPEC = {"dest": "x", "flags": ["--x"], "type": "int", "envvar": "MLF_X", "default": 7, "required": False}


def test_precedence_commandline_then_env_then_default():
    assert values.resolve([SPEC], {"x": 1}, environ={"MLF_X": "2"}) == ({"x": 1}, {"x": "commandline"})
    assert values.resolve([SPEC], {}, environ={"MLF_X": "2"}) == ({"x": 2}, {"x": "envvar"})
    assert values.resolve([SPEC], {}, environ={"MLF_X": ""}) == ({"x": 7}, {"x": "default"})
    assert values.resolve([SPEC], {}, environ={}) == ({"x": 7}, {"x": "default"})


def test_bad_env_value_names_the_variable():
    with pytest.raises(UsageError, match="MLF_X"):
        values.resolve([SPEC], {}, environ={"MLF_X": "abc"})


@pytest.mark.parametrize("text,expected", [("1", True), ("true", True), ("Yes", True), ("off", False), ("0", False)])
def test_bool_env_values(text, expected):
    assert values.parse_bool(text) is expected


def test_env_file_sets_defaults_but_environment_wins(tmp_path):
    env_file = tmp_path / "vars.env"
    env_file.write_text("# comment\nexport MLFLOW_EXPERIMENT_ID=from-file\nMLFLOW_TRACKING_URI='%s'\n" % (tmp_path / "store"))
    result = mlf("--env-file", env_file, "runs", "list")
    # The experiment id came from the file: the error names it, proving the file was read first.
    assert result.returncode == 1 and "from-file" in result.stderr, result.stderr
    result = mlf("--env-file", env_file, "runs", "list", env={"MLFLOW_EXPERIMENT_ID": "0"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "store").exists()


def test_env_file_missing_is_usage_error(tmp_path):
    result = mlf("--env-file", tmp_path / "absent.env", "experiments", "search")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot read --env-file" in result.stderr


def test_usage_errors_are_one_line_with_exit_2():
    result = mlf("experiments", "create", process=True)  # the real process's exit code and stderr
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "Missing option '--experiment-name' / '-n'" in result.stderr
    assert "Traceback" not in result.stderr


def test_leaf_help_shows_env_vars_and_examples():
    result = mlf("runs", "list", "--help")
    assert result.returncode == 0
    assert "MLFLOW_EXPERIMENT_ID" in result.stdout and "examples:" in result.stdout


def test_dash_h_is_host_not_help_on_leaf_commands():
    # Like mlflow, leaf commands only know --help; -h is free for options such as --host.
    result = mlf("experiments", "search", "-h")
    assert result.returncode == 2 and "unrecognized arguments: -h" in result.stderr


def test_in_process_calls_restore_environment_cwd_and_streams(tmp_path):
    import os
    import sys

    before = (dict(os.environ), os.getcwd(), sys.stdin, sys.stdout)
    result = mlf("--env-file", tmp_path / "absent.env", "experiments", "search", env={"MLF_PROBE": "1"},
                 cwd=tmp_path)
    assert result.returncode != 0 and "absent.env" in result.stderr
    assert (dict(os.environ), os.getcwd(), sys.stdin, sys.stdout) == before
