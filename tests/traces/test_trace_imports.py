"""Trace commands on the file store stay light: no SQL, HTTP or YAML library is imported."""

import pytest

from tests.test_startup_imports import imported_modules, _offenders


@pytest.mark.parametrize("args", [
    ["traces", "--help"],
    ["traces", "search", "-x", "0", "--filter-string", "status = 'OK' AND tags.env = 'prod'"],
    ["traces", "search", "-x", "0", "--output", "json", "--extract-fields", "info.trace_id"],
    ["scorers", "list", "--builtin"],
    ["autolog", "claude", "--status"],
])
def test_trace_commands_import_nothing_heavy(args, tmp_path):
    result, modules = imported_modules(args, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert modules, "importtime produced no output"
    assert _offenders(modules, allowed=("handlers",)) == []
