"""Rules the manifest states and the generated parser enforces: argument groups, key-value and
json-object values, engine errors renamed to flags; the MCP tools generated from the same manifest."""

import io
import json
from pathlib import Path

import pytest

from generator.compile import compile_node
from generator.lint import lint_manifest
from generator.load import SpecError
from runtime.cli import values
from runtime.cli.groups import check_groups, group_problem
from runtime.cli.main import run
from runtime.cli.manifest import load_manifest
from runtime.errors import InvalidParameter, MlfError, UsageError


def _run(*argv, environ=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def store_uri(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_TRACKING_URI"):
        monkeypatch.delenv(name, raising=False)
    uri = str(tmp_path / "mlruns")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


# ---- groups --------------------------------------------------------------
EITHER = {"rule": "exactly-one", "members": ["experiment_id", "experiment_name"]}


def _name(dest):
    return "--" + dest.replace("_", "-")


@pytest.mark.parametrize("given, problem", [
    (set(), "Give exactly one of --experiment-id or --experiment-name."),
    ({"experiment_id", "experiment_name"}, "Give exactly one of --experiment-id or --experiment-name."),
    ({"experiment_id"}, None),
])
def test_exactly_one(given, problem):
    assert group_problem(EITHER, given, _name) == problem


def test_at_most_one_and_at_least_one_with_a_reason():
    at_most = {"rule": "at-most-one", "members": ["a", "b"]}
    assert group_problem(at_most, set(), _name) is None
    assert group_problem(at_most, {"a", "b"}, _name) == "Give only one of --a or --b, not both."
    three = {"rule": "at-least-one", "members": ["a", "b", "c"], "reason": "Nothing to update"}
    assert group_problem(three, set(), _name) == "Nothing to update: give at least one of --a, --b or --c."
    assert group_problem(three, {"c"}, _name) is None


def test_an_env_var_counts_as_given_and_is_named_when_nothing_is():
    node = {"options": [{"dest": "experiment_id", "envvar": "MLFLOW_EXPERIMENT_ID"},
                        {"dest": "experiment_name", "envvar": "MLFLOW_EXPERIMENT_NAME"}],
            "arguments": [], "groups": [EITHER]}
    check_groups(node, {"experiment_id": "envvar", "experiment_name": "default"}, _name)
    with pytest.raises(UsageError, match=r"one of --experiment-id or --experiment-name \(or set MLFLOW_EXPERIMENT_ID"):
        check_groups(node, {"experiment_id": "default", "experiment_name": "default"}, _name)


def test_groups_on_real_commands_exit_2_and_write_nothing(store_uri):
    for argv in (["experiments", "get"], ["experiments", "get", "-x", "0", "-n", "Default"],
                 ["runs", "create"], ["artifacts", "download"],
                 ["traces", "update-assessment", "--trace-id", "tr-1", "--assessment-id", "a-1"]):
        with pytest.raises(UsageError) as raised:
            _run(*argv)
        assert raised.value.exit_code == 2
    assert not Path(store_uri).exists()


def test_update_assessment_names_what_would_change(store_uri):
    with pytest.raises(UsageError, match="^Nothing to update: give at least one of --value, --rationale or --metadata"):
        _run("traces", "update-assessment", "--trace-id", "tr-1", "--assessment-id", "a-1")


def test_compile_refuses_a_group_member_that_is_not_an_option():
    leaf = {"name": "count", "summary": "s", "handler": "handlers.things:count",
            "options": [{"flags": ["--a"], "help": "a"}],
            "groups": [{"rule": "exactly-one", "members": ["--a", "--b"]}]}
    with pytest.raises(SpecError, match="--b are not options or arguments"):
        compile_node(leaf, {}, "")


# ---- value types ---------------------------------------------------------
def test_key_value_values():
    spec = {"type": "key-value"}
    assert values.convert(spec, "a=b=c") == ("a", "b=c")
    assert values.convert(spec, "empty=") == ("empty", "")
    for bad in ("novalue", "=x"):
        with pytest.raises(ValueError, match="expected KEY=VALUE"):
            values.convert(spec, bad)
    with pytest.raises(ValueError, match="expected NAME=VALUE"):
        values.convert({"type": "key-value", "metavar": "NAME=VALUE"}, "novalue")


def test_json_object_values():
    spec = {"type": "json-object"}
    assert values.convert(spec, '{"a": 1}') == {"a": 1}
    assert values.convert(spec, "") is None
    with pytest.raises(ValueError, match="is not a JSON object"):
        values.convert(spec, "[1]")
    with pytest.raises(ValueError, match="is not valid JSON"):
        values.convert(spec, "{oops")


def test_one_json_object_reader_for_options_metadata_and_backend_configs():
    from runtime.projects.runner import parse_backend_config
    from runtime.tracing.service import parse_metadata

    with pytest.raises(UsageError, match="is not a JSON object") as raised:
        parse_metadata("[1]")
    assert raised.value.param == "metadata"
    with pytest.raises(InvalidParameter, match="is not a JSON object") as raised:
        parse_backend_config("[1]")
    assert raised.value.param == "backend_config"
    assert parse_metadata({"n": 1}) == {"n": "1"} and parse_backend_config("") == {}


def test_bad_typed_values_are_usage_errors_naming_the_flag(store_uri):
    with pytest.raises(UsageError, match="argument --tags/-t: 'oops': expected KEY=VALUE"):
        _run("runs", "create", "--experiment-id", "0", "-t", "oops")
    with pytest.raises(UsageError, match="argument --metadata: '\\[1\\]' is not a JSON object"):
        _run("traces", "log-feedback", "--trace-id", "tr-1", "--name", "n", "--metadata", "[1]")
    assert not Path(store_uri).exists()


def test_key_value_tags_reach_the_run(store_uri):
    code, out, _ = _run("runs", "create", "--experiment-id", "0", "-t", "a=1", "-t", "url=x?y=z")
    assert code == 0
    run_id = out.split(" with id ")[1].split()[0]
    code, out, _ = _run("runs", "describe", "--run-id", run_id, "--output", "json")
    tags = json.loads(out)["data"]["tags"]
    assert tags["a"] == "1" and tags["url"] == "x?y=z"


# ---- engine errors in domain terms ---------------------------------------
def test_an_engine_error_about_one_value_names_it_in_words_and_front_ends_rename_it():
    error = InvalidParameter.for_param("backend_config", "must hold a JSON object")
    assert error.message == "backend config must hold a JSON object"
    assert error.naming("--backend-config") == "Invalid value for '--backend-config': must hold a JSON object"
    assert MlfError("plain").naming("--x") == "plain"


def test_the_cli_names_the_flag_of_an_engine_error(store_uri):
    with pytest.raises(UsageError, match="^Invalid value for '--artifact-path': goes with a run id"):
        _run("artifacts", "download", "--artifact-uri", "runs:/0123/x", "--artifact-path", "y")


# Areas added while the rules moved into the manifest; they adopt groups/for_param next.
NOT_YET_CONVERTED = ("gateway/", "crypto/", "deployments/", "sagemaker/")


def test_engine_code_names_no_cli_flag():
    """Errors raised under runtime/ (outside the CLI and the server's own options) speak domain terms."""
    import re

    root = Path(__file__).resolve().parents[2] / "runtime"
    pattern = re.compile(r"raise \w+(?:\.for_param)?\(\s*f?[\"'][^\"']*--[a-z]")
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("cli/", "server/")):  # the CLI itself; the servers' own start-up options
            continue
        if relative.startswith(NOT_YET_CONVERTED):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "`mlf " not in line:  # advice naming another command is fine
                offenders.append(f"{relative}:{number}")
    assert offenders == []


# ---- MCP tools from the manifest -----------------------------------------
def test_mcp_tools_are_the_commands_that_name_one():
    from runtime.mcp_server import tool_nodes, tool_parameters

    tools = dict(tool_nodes(load_manifest()))
    assert tools["search_traces"]["path"] == "traces search"
    assert tools["delete_trace_assessment"]["path"] == "traces delete-assessment"
    offered = [spec["dest"] for spec in tool_parameters(tools["search_traces"])]
    assert "experiment_id" in offered and "output" not in offered


def test_lint_refuses_one_tool_name_for_two_commands():
    leaves = [{"name": name, "summary": "s", "handler": f"handlers.things:{name}", "mcp_tool": "count_things"}
              for name in ("count", "total")]
    root = compile_node({"name": "mlf", "summary": "s", "help": "h", "options": [], "commands": leaves}, {}, "",
                        is_root=True)
    problems = lint_manifest({"program": "mlf", "env_vars": {}, "root": root})
    assert problems == ["total: MCP tool count_things is also the tool of `count`"]


def test_mcp_call_checks_groups_and_names_parameters_not_flags(store_uri):
    from runtime.mcp_server import call_command, tool_nodes

    tools = dict(tool_nodes(load_manifest()))
    node = tools["update_trace_assessment"]
    with pytest.raises(UsageError, match="give at least one of value, rationale or metadata"):
        call_command(node, {"trace_id": "tr-1", "assessment_id": "a-1"}, {}, {"MLFLOW_TRACKING_URI": store_uri})
    with pytest.raises(UsageError, match="Invalid value for 'metadata'"):
        call_command(node, {"trace_id": "tr-1", "assessment_id": "a-1", "metadata": "[1]"}, {},
                     {"MLFLOW_TRACKING_URI": store_uri})
