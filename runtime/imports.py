"""Resolve "package.module:attribute" references, importing the module only when asked."""

import sys


def load_reference(reference):
    """The attribute named by reference; ImportError/AttributeError propagate to the caller.

    Uses the import statement machinery (not importlib.import_module) so that
    `python -X importtime` reports these lazy imports like any other.
    """
    module_name, _, attribute = reference.partition(":")
    __import__(module_name)
    return getattr(sys.modules[module_name], attribute)
