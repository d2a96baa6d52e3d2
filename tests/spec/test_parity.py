"""Parity with mlflow 3.17.2: every shipped command keeps mlflow's option spellings, env vars,
required-ness, multiple-ness, flag-ness and choices; anything we add is marked `extension: true`.

The reference is tests/data/reference/mlflow-cli.json (kept in the repository).
"""

import json
from pathlib import Path

import pytest

from generator.compile import compile_manifest, iter_nodes
from tests.support.reference import reference_file

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = reference_file("mlflow-cli.json")

# mlflow options that are out of scope for mlf, with the reason (option spelling -> reason).
_WORKSPACES = "workspaces are a later issue"
_TRACE_ARCHIVAL = "trace archival is a later issue"
EXCLUDED_OPTIONS = {
    "--workspace": _WORKSPACES,
    "--all-workspaces": _WORKSPACES,
    "--enable-workspaces": _WORKSPACES,
    "--workspace-store-uri": _WORKSPACES,
    "--jobs": "the job executor is a later issue",
    "--job-ids": "the job executor is a later issue",
    "--trace-archival-retention": _TRACE_ARCHIVAL,
    "--clear-trace-archival-retention": _TRACE_ARCHIVAL,
    "--trace-archive-now": _TRACE_ARCHIVAL,
    "--trace-archive-now-older-than": _TRACE_ARCHIVAL,
    "--clear-trace-archive-now": _TRACE_ARCHIVAL,
    "--trace-archival-config": _TRACE_ARCHIVAL,
    "--read-replica-backend-store-uri": "read replicas are out of scope",
    "--app-name": "server plugin apps are out of scope",
}

MANIFEST = compile_manifest()


def _with_inherited_extension(node, inherited=False):
    """(node, extension) for every node: a command inside an extension group is an extension."""
    extension = inherited or node["extension"]
    yield node, extension
    for child in node["commands"].values():
        yield from _with_inherited_extension(child, extension)


NODES = list(_with_inherited_extension(MANIFEST["root"]))


@pytest.fixture(scope="module")
def mlflow_commands():
    # The reference is part of the repository: a missing copy fails every parity test instead of skipping it.
    assert REFERENCE.exists(), f"mlflow reference not found at {REFERENCE}"
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return {command["path"]: command for command in data["commands"]}


def _ours_by_flag(node):
    found = {}
    for option in node["options"]:
        for flag in option["flags"] + option["negative_flags"]:
            found[flag] = option
    return found


def _mlflow_options(command):
    return [p for p in command["params"] if p["kind"] == "option" and p["opts"][0] not in EXCLUDED_OPTIONS]


def _label(node):
    return node["path"] or "(root)"


@pytest.mark.parametrize("node, extension", NODES, ids=[_label(n) for n, _ in NODES])
def test_command_exists_in_mlflow_or_is_an_extension(node, extension, mlflow_commands):
    if node["path"] not in mlflow_commands:
        assert extension, f"`{_label(node)}` is not an mlflow command: mark it extension: true"


@pytest.mark.parametrize("node, extension", NODES, ids=[_label(n) for n, _ in NODES])
def test_options_match_mlflow(node, extension, mlflow_commands):
    reference = mlflow_commands.get(node["path"])
    if reference is None:
        pytest.skip("an extension command: nothing to compare")
    ours = _ours_by_flag(node)
    problems = []
    matched = set()
    for theirs in _mlflow_options(reference):
        spellings = theirs["opts"] + theirs["secondary_opts"]
        option = ours.get(theirs["opts"][0])
        if option is None:
            problems.append(f"missing option {'/'.join(spellings)}")
            continue
        matched.add(id(option))
        checks = {
            "flag spellings": (sorted(option["flags"] + option["negative_flags"]), sorted(spellings)),
            "env var": ([option["envvar"]] if option.get("envvar") else [], list(theirs["envvar"])),
            "required": (option["required"], theirs["required"]),
            "multiple": (option["multiple"], theirs["multiple"]),
            "is a flag": (option["flag"], theirs["is_flag"]),
            "choices": (sorted(option.get("choices") or []), sorted(theirs["choices"] or [])),
        }
        for what, (mine, reference_value) in checks.items():
            if mine != reference_value:
                problems.append(f"{theirs['opts'][0]}: {what} is {mine!r}, mlflow has {reference_value!r}")
    for option in node["options"]:
        if id(option) not in matched and not (option["extension"] or extension):
            problems.append(f"{option['flags'][0]} is not an mlflow option: mark it extension: true")
    assert problems == [], f"`{_label(node)}` differs from mlflow:\n  " + "\n  ".join(problems)


def _nargs(argument):
    return -1 if argument["nargs"] in ("*", "+") else 1


@pytest.mark.parametrize("node, extension", NODES, ids=[_label(n) for n, _ in NODES])
def test_arguments_match_mlflow(node, extension, mlflow_commands):
    reference = mlflow_commands.get(node["path"])
    if reference is None:
        pytest.skip("an extension command: nothing to compare")
    theirs = [(p["name"], p["required"], p["nargs"]) for p in reference["params"] if p["kind"] == "argument"]
    mine = [(a["name"].lower(), a["required"], _nargs(a)) for a in node["arguments"] if not a.get("extension")]
    assert mine == theirs, f"`{_label(node)}` arguments (name, required, nargs) differ from mlflow"


def test_exclusions_are_real_mlflow_options(mlflow_commands):
    """Every excluded spelling exists in mlflow, so the list cannot hide a typo."""
    spellings = {o for c in mlflow_commands.values() for p in c["params"] for o in p["opts"] + p["secondary_opts"]}
    assert sorted(set(EXCLUDED_OPTIONS) - spellings) == []


def test_we_ship_no_excluded_option():
    shipped = {flag for node, _ in NODES for option in node["options"] for flag in option["flags"]}
    assert sorted(shipped & set(EXCLUDED_OPTIONS)) == []
