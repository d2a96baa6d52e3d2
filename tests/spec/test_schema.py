"""The manifest schema and lint: real spec files pass, broken ones fail at the right place."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.compile import compile_manifest, compile_node
from generator.lint import lint_manifest
from generator.load import SPEC_DIR, SpecError, spec_files, validate_document

INVALID_DIR = Path(__file__).resolve().parent / "invalid"
INVALID_FIXTURES = sorted(INVALID_DIR.glob("*.yaml"))


def _definition_of(path):
    return "root" if path.name == "cli.yaml" else "command"


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = json.loads((SPEC_DIR / "manifest.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", spec_files(), ids=lambda p: p.relative_to(SPEC_DIR).as_posix())
def test_spec_file_validates(path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate_document(document, _definition_of(path), path.name)
    # The schema's top level (oneOf root | command) accepts it too.
    schema = json.loads((SPEC_DIR / "manifest.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)


def test_whole_manifest_compiles_and_lints_clean():
    manifest = compile_manifest()
    assert lint_manifest(manifest) == []
    assert manifest["root"]["commands"], "the manifest ships no command"


def _expectations(path):
    """Read the `# key: value` header lines of an invalid fixture."""
    found = dict(re.findall(r"^# ([a-z-]+): (.+)$", path.read_text(encoding="utf-8"), flags=re.M))
    assert "expect-path" in found, f"{path.name} must name the expected error path"
    return found


def test_there_are_invalid_fixtures():
    assert len(INVALID_FIXTURES) >= 10


@pytest.mark.parametrize("path", INVALID_FIXTURES, ids=lambda p: p.stem)
def test_invalid_fixture_fails_at_expected_path(path):
    expected = _expectations(path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    with pytest.raises(SpecError) as raised:
        validate_document(document, expected.get("definition", "command"), path.name)
    source, where, message = str(raised.value).split(": ", 2)
    assert source == path.name
    assert where == expected["expect-path"], str(raised.value)
    if "expect-message" in expected:
        assert expected["expect-message"] in message, str(raised.value)


# ---- lint: what the schema cannot say, on small in-memory manifests ----

def _leaf(name="count", **extra):
    return {"name": name, "summary": "Count things.", "handler": f"handlers.things:{name.replace('-', '_')}", **extra}


def _manifest(commands, env_vars=None, shared=None):
    root = compile_node({"name": "mlf", "summary": "s", "help": "h", "options": [], "commands": commands},
                        shared or {}, "", is_root=True)
    registry = {name: {"help": "documented", "read_by": read_by} for name, read_by in (env_vars or {}).items()}
    return {"program": "mlf", "env_vars": registry, "root": root}


def _group(*children):
    return {"name": "things", "summary": "Things.", "commands": list(children)}


def test_lint_accepts_a_sound_manifest():
    option = {"flags": ["--run-id", "-r"], "help": "Run.", "envvar": "MLFLOW_RUN_ID"}
    example = {"command": "mlf things count -r 1", "help": "Count."}
    manifest = _manifest([_group(_leaf(options=[option], examples=[example]))],
                         env_vars={"MLFLOW_RUN_ID": None, "MLF_DEBUG": "runtime"})
    assert lint_manifest(manifest) == []


def test_lint_duplicate_flag():
    options = [{"flags": ["--run-id"], "help": "a"}, {"flags": ["--id", "--run-id"], "dest": "other", "help": "b"}]
    problems = lint_manifest(_manifest([_group(_leaf(options=options))]))
    assert problems == ["things count: flag --run-id is declared twice"]


def test_lint_duplicate_destination():
    options = [{"flags": ["--run-id"], "help": "a"}, {"flags": ["--run"], "dest": "run_id", "help": "b"}]
    problems = lint_manifest(_manifest([_group(_leaf(options=options))]))
    assert problems == ["things count: destination run_id is used by two options"]


def test_lint_flag_not_kebab_case():
    problems = lint_manifest(_manifest([_leaf(options=[{"flags": ["--run--id"], "dest": "run_id", "help": "a"}])]))
    assert problems == ["count: flag --run--id is not kebab-case"]


def test_unknown_use_is_rejected():
    shared = {"run-id": {"flags": ["--run-id"], "help": "Run."}}
    with pytest.raises(SpecError, match="unknown shared option 'experiment-id'"):
        _manifest([_group(_leaf(options=[{"use": "experiment-id"}]))], shared=shared)


def test_use_with_override_keeps_shared_flags():
    shared = {"run-id": {"flags": ["--run-id"], "help": "Run."}}
    manifest = _manifest([_leaf(options=[{"use": "run-id", "required": True}])], shared=shared)
    option = manifest["root"]["commands"]["count"]["options"][0]
    assert (option["flags"], option["required"], option["help"]) == (["--run-id"], True, "Run.")


def test_lint_env_var_not_documented():
    option = {"flags": ["--run-id"], "help": "a", "envvar": "MLFLOW_RUN_ID"}
    problems = lint_manifest(_manifest([_leaf(options=[option])]))
    assert problems == ["count: env var MLFLOW_RUN_ID is not in the env_vars registry of cli.yaml"]


def test_lint_env_var_documented_but_unused():
    problems = lint_manifest(_manifest([_leaf()], env_vars={"MLFLOW_UNUSED": None, "MLF_DEBUG": "runtime"}))
    assert len(problems) == 1
    assert problems[0].startswith("env var MLFLOW_UNUSED is documented but no option reads it")


def test_lint_example_not_running_its_command():
    leaf = _leaf(examples=[{"command": "mlf things other --x", "help": "Wrong command."}])
    problems = lint_manifest(_manifest([_group(leaf)]))
    assert problems == ["things count: example 'mlf things other --x' does not run this command"]


def test_lint_leaf_without_handler():
    leaf = {"name": "count", "summary": "Count things."}
    problems = lint_manifest(_manifest([_group(leaf)]))
    assert problems == ["things count: a leaf command needs a handler"]


def test_lint_group_with_options_but_no_handler():
    group = dict(_group(_leaf()), options=[{"flags": ["--size"], "help": "a"}])
    problems = lint_manifest(_manifest([group]))
    assert problems == ["things: a group without a handler cannot take options"]


def test_lint_required_option_with_default():
    option = {"flags": ["--size"], "help": "a", "required": True, "default": "3"}
    assert lint_manifest(_manifest([_leaf(options=[option])])) == ["count: --size is required but has a default"]


def test_lint_default_outside_choices():
    option = {"flags": ["--output"], "type": "choice", "choices": ["json", "table"], "default": "csv", "help": "a"}
    assert lint_manifest(_manifest([_leaf(options=[option])])) == [
        "count: default of --output is not one of its choices"]


def test_lint_ctx_is_reserved():
    option = {"flags": ["--ctx"], "help": "a"}
    assert lint_manifest(_manifest([_leaf(options=[option])])) == ["count: 'ctx' is reserved for the handler context"]
