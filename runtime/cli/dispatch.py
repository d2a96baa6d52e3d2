"""Bind a command to its handler by name ("handlers.runs:list_") and call it."""

import importlib

from runtime.errors import MlfError


def load_handler(reference):
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise MlfError(f"handler {reference} does not exist (the manifest and handlers/ disagree)") from None


def call_handler(node, values, ctx):
    handler = load_handler(node["handler"])
    return handler(ctx=ctx, **values)
