"""Read the compiled manifest (runtime/_manifest.json) — plain json, no YAML at run time."""

import json
import os

MANIFEST_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_manifest.json")

_cache = None


def load_manifest():
    global _cache
    if _cache is None:
        with open(MANIFEST_PATH, encoding="utf-8") as handle:
            _cache = json.load(handle)
    return _cache


def command_words(node):
    """Subcommand names of a node, aliases excluded, in help order."""
    return [name for name, child in node["commands"].items()]


def find_child(node, word):
    """The child node named by word (or by one of its aliases), else None."""
    if word in node["commands"]:
        return node["commands"][word]
    target = node["aliases"].get(word)
    return node["commands"][target] if target else None
