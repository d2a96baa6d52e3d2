"""Thin command handlers, one module per command group, bound by name from the manifest."""
