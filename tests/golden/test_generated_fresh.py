"""The committed generated files (compiled manifest, wire schema, reference, man page, completion) are fresh,
deterministic, and a stale one is reported with the command that regenerates it."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from generator.__main__ import REGENERATE, generated_files, main
from generator.compile import compile_manifest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def files():
    return generated_files(compile_manifest())


def test_committed_generated_files_are_fresh():
    result = subprocess.run([sys.executable, "-m", "generator", "--check"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_generated_set_covers_every_output(files):
    manifest = compile_manifest()
    expected = {"runtime/_manifest.json", "runtime/wire/proto_schema.json", "docs/man/mlf.1", "docs/completion/mlf.bash", "docs/completion/_mlf",
                "docs/reference/index.md"} | {f"docs/reference/{name}.md" for name in manifest["root"]["commands"]}
    assert set(files) == expected


@pytest.fixture
def copy_root(tmp_path, files):
    """A throw-away project root holding a fresh copy of every generated file."""
    for path, text in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def test_check_passes_on_a_fresh_copy(copy_root, capsys):
    assert main(["--check"], root=copy_root) == 0
    assert capsys.readouterr().err == ""


def test_stale_file_is_named_with_the_regenerating_command(copy_root, capsys):
    page = copy_root / "docs/reference/runs.md"
    page.write_text(page.read_text() + "hand edit\n")
    assert main(["--check"], root=copy_root) == 1
    err = capsys.readouterr().err
    assert f"`{REGENERATE}`" in err and REGENERATE == "python -m generator"
    assert "stale: docs/reference/runs.md" in err
    assert "hand edit" in page.read_text(), "--check must not write"


def test_stale_wire_schema_is_named(copy_root, capsys):
    schema = copy_root / "runtime/wire/proto_schema.json"
    schema.write_text(schema.read_text().replace('"mlflow_version": "3.17.2"', '"mlflow_version": "0"'))
    assert main(["--check"], root=copy_root) == 1
    assert "stale: runtime/wire/proto_schema.json" in capsys.readouterr().err


def test_missing_file_is_stale(copy_root, capsys):
    (copy_root / "docs/man/mlf.1").unlink()
    assert main(["--check"], root=copy_root) == 1
    assert "stale: docs/man/mlf.1" in capsys.readouterr().err


def test_file_no_longer_generated_fails_check_and_is_removed(copy_root, capsys):
    leftovers = [copy_root / "docs/reference/removed-command.md", copy_root / "docs/completion/old/mlf.fish"]
    for leftover in leftovers:
        leftover.parent.mkdir(parents=True, exist_ok=True)
        leftover.write_text("old\n")
    assert main(["--check"], root=copy_root) == 1
    err = capsys.readouterr().err
    assert "no longer generated: docs/reference/removed-command.md" in err
    assert "no longer generated: docs/completion/old/mlf.fish" in err
    assert "python -m generator" in err
    assert all(p.exists() for p in leftovers), "--check must not delete"

    assert main([], root=copy_root) == 0
    assert not any(p.exists() for p in leftovers)
    assert main(["--check"], root=copy_root) == 0


def test_regenerating_restores_a_stale_file(copy_root, files):
    page = copy_root / "docs/completion/mlf.bash"
    page.write_text("broken\n")
    assert main([], root=copy_root) == 0
    assert page.read_text() == files["docs/completion/mlf.bash"]


def test_output_does_not_depend_on_the_machine(files, monkeypatch):
    """Terminal width, SOURCE_DATE_EPOCH and the locale's time zone change nothing."""
    monkeypatch.setenv("COLUMNS", "37")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    assert generated_files(compile_manifest()) == files


def test_no_machine_paths_in_generated_files(files):
    markers = [str(PROJECT_ROOT), os.path.expanduser("~"), sysconfig.get_paths()["purelib"], "/tmp/"]
    leaks = [(path, m) for path, text in files.items() for m in markers if len(m) > 1 and m in text]
    assert leaks == []
