"""Every command binds to a real handler whose keyword-only parameters are its options; no
handler function goes unused."""

import importlib
import inspect
from pathlib import Path

import pytest

from generator.compile import compile_manifest, iter_nodes
from runtime.cli.dispatch import load_handler

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = compile_manifest()
LEAVES = [node for node in iter_nodes(MANIFEST["root"]) if node["handler"]]
HANDLER_MODULES = sorted(p.stem for p in (PROJECT_ROOT / "handlers").glob("*.py") if not p.stem.startswith("_"))


@pytest.mark.parametrize("node", LEAVES, ids=[n["path"] for n in LEAVES])
def test_handler_signature_matches_options(node):
    handler = load_handler(node["handler"])
    parameters = inspect.signature(handler).parameters.values()
    not_keyword_only = [p.name for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert not_keyword_only == [], f"{node['handler']}: parameters must be keyword-only"
    expected = {spec["dest"] for spec in node["options"] + node["arguments"]} | {"ctx"}
    actual = {p.name for p in parameters}
    assert actual == expected, (
        f"{node['handler']}: missing {sorted(expected - actual)}, unexpected {sorted(actual - expected)}")


@pytest.mark.parametrize("module_name", HANDLER_MODULES)
def test_no_unreferenced_handler(module_name):
    module = importlib.import_module(f"handlers.{module_name}")
    public = {name for name, value in vars(module).items()
              if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}
    referenced = {node["handler"].partition(":")[2] for node in LEAVES
                  if node["handler"].partition(":")[0] == module.__name__}
    assert sorted(public - referenced) == [], "public functions that no command uses (make them private or bind them)"


def test_every_handler_module_is_a_file():
    modules = {node["handler"].partition(":")[0] for node in LEAVES}
    assert sorted(m for m in modules if not (PROJECT_ROOT / (m.replace(".", "/") + ".py")).exists()) == []
