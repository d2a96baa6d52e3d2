"""Every example in the manifest runs through the real staged parser and reaches its own command."""

import shlex

import pytest

from generator.compile import compile_manifest, iter_nodes
from runtime.cli.main import _walk
from runtime.cli.parser import parse_leaf
from runtime.cli.values import resolve

MANIFEST = compile_manifest()
EXAMPLES = [(node, example) for node in iter_nodes(MANIFEST["root"]) for example in node["examples"]]


def test_every_leaf_has_an_example():
    missing = [node["path"] for node in iter_nodes(MANIFEST["root"]) if node["handler"] and not node["examples"]]
    assert missing == []


@pytest.mark.parametrize("node, example", EXAMPLES, ids=[e["command"] for _, e in EXAMPLES])
def test_example_parses(node, example):
    words = shlex.split(example["command"])
    assert words[0] == MANIFEST["program"]
    reached, tokens, show_help = _walk(words[1:], MANIFEST)
    assert not show_help, "the example only shows help"
    assert reached["path"] == node["path"], f"the example runs `{reached['path']}`, not `{node['path']}`"
    parsed = parse_leaf(reached, tokens, MANIFEST["program"])
    # Required options must be on the command line: an example may not lean on the environment.
    values, _ = resolve(reached["options"] + reached["arguments"], parsed, environ={})
    assert set(values) == {spec["dest"] for spec in reached["options"] + reached["arguments"]}
