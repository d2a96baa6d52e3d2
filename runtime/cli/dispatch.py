"""Bind a command to its handler by name ("handlers.runs:list_") and call it."""

from runtime.errors import MlfError
from runtime.imports import load_reference


def load_handler(reference):
    try:
        return load_reference(reference)
    except AttributeError:
        raise MlfError(f"handler {reference} does not exist (the manifest and handlers/ disagree)") from None


def call_handler(node, values, ctx):
    handler = load_handler(node["handler"])
    return handler(ctx=ctx, **values)
