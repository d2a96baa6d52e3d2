"""Where the tests find the reference facts about mlflow 3.17.2 (CLI, REST, SQL schema, UI, gateway).

The files are copies of ../shared/reference kept in the repository, so the suite runs on a
clone with nothing beside it; tests/spec/test_reference_copy.py checks they still equal the
shared copy whenever that copy is present.
"""

from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
# Reference files the generator reads (it never reads tests/) live under spec/reference instead.
SPEC_REFERENCE_DIR = Path(__file__).resolve().parents[2] / "spec" / "reference"
SHARED_REFERENCE_DIR = Path(__file__).resolve().parents[3] / "shared" / "reference"


def reference_file(name):
    """Path of one reference file, e.g. reference_file('mlflow-cli.json')."""
    in_spec = SPEC_REFERENCE_DIR / name
    return in_spec if in_spec.is_file() else REFERENCE_DIR / name
