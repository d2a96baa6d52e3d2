"""meta_yaml reads what yaml.safe_dump writes and writes what yaml.safe_load reads, value for value.

The cases are generated: tricky fragments (quotes, colons, '#', indicators,
numbers-as-strings, YAML keywords, unicode, newlines, control characters) are
combined at random, dumped by PyYAML at several line widths (so long values
get folded over lines) and read back by both parsers.
"""

import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runtime.store.file import meta_yaml

ROOT = Path(__file__).resolve().parents[2]

FRAGMENTS = [
    "a", "b", "word", " ", "  ", ":", ": ", "#", " #", "'", '"', "''", "\\", "\n", "\n\n", "\t", "\r", "é", "ü",
    "日本", "😀", "\xa0", "\x07", "\x00", "\x85", "\u2028", "\ufeff", "0", "1", "42", "-", "- ", "?", "? ", "~",
    "null", "Null", "true", "False", "yes", "on", "OFF", "1.5", "1e5", "0x1F", "0o7", "012", "1_000", "1:20",
    ".inf", "-.inf", ".nan", "2001-12-14", "2001-12-14 21:59:43.10", "<<", "=", "---", "...", "[", "]", "{",
    "}", ",", "&", "*", "!", "%", "@", "`", "|", ">", "/", "file:///tmp/a b", "x" * 40, "ab " * 30,
]


def random_text(rnd):
    if rnd.random() < 0.25:
        words = ["word", "a-b", "- x", "? y", "#z", "x:y", "0", "'q'", '"d"', "é", "http://h/p?q=1"]
        return " ".join(rnd.choice(words) for _ in range(rnd.randint(5, 60)))
    return "".join(rnd.choice(FRAGMENTS) for _ in range(rnd.randint(0, 10)))


def random_document(rnd):
    document = {}
    for _ in range(rnd.randint(1, 6)):
        key = random_text(rnd) if rnd.random() < 0.3 else rnd.choice(["name", "run_id", "artifact_uri", "tags"])
        roll = rnd.random()
        if roll < 0.6:
            value = random_text(rnd)
        elif roll < 0.7:
            value = {random_text(rnd): random_text(rnd) for _ in range(rnd.randint(0, 3))}
        elif roll < 0.8:
            value = rnd.choice([None, True, False, 0, -7, 1795828971026, [], {}])
        else:
            value = rnd.choice(["0", "443197201493158535", "", "unknown", "a" * 300, "FINISHED"])
        document[key] = value
    return document


@pytest.mark.parametrize("seed", range(3))
def test_reader_agrees_with_pyyaml_on_safe_dump_output(seed):
    rnd = random.Random(seed)
    for _ in range(700):
        document = random_document(rnd)
        for width in (80, 24):
            text = yaml.safe_dump(document, default_flow_style=False, allow_unicode=True, width=width)
            assert meta_yaml.loads(text) == yaml.safe_load(text), text


@pytest.mark.parametrize("seed", range(4))
def test_writer_output_reads_back_identically(seed):
    rnd = random.Random(100 + seed)
    for _ in range(1500):
        document = random_document(rnd)
        text = meta_yaml.dumps(document)
        assert yaml.safe_load(text) == document, text
        assert meta_yaml.loads(text) == document, text
        assert all(len(line) < 2000 for line in text.splitlines())


def test_writer_never_wraps_long_values():
    value = "word " * 200 + "end"
    text = meta_yaml.dumps({"k": value, "multi": "a\nb"})
    assert text.count("\n") == 2
    assert yaml.safe_load(text) == {"k": value, "multi": "a\nb"}


@pytest.mark.parametrize(
    "document",
    [
        {"artifact_location": "file:///tmp/mlruns/0", "creation_time": 1795828971026, "experiment_id": "0",
         "last_update_time": 1795828971026, "lifecycle_stage": "active", "name": "Default",
         "effective_trace_archival_retention": None, "trace_location": None, "workspace": "default"},
        {"artifact_uri": "s3://bucket/x/artifacts", "end_time": None, "entry_point_name": "", "experiment_id": "12",
         "lifecycle_stage": "deleted", "run_id": "0a1b", "run_name": "my run: 1", "source_name": "", "source_type": 4,
         "source_version": "", "start_time": 1, "status": 3, "tags": [], "user_id": "it's me", "deleted_time": 5},
        {"destination_id": "abc", "destination_type": "RUN", "source_id": "abc", "source_type": "DATASET",
         "tags": {"mlflow.data.context": "train", "1": "true"}},
        {"name": "ünïcode ✓", "x": "#hash", "y": "a #b", "z": "- dash", "w": "yes", "v": "~", "u": "1.0"},
    ],
)
def test_writer_matches_safe_dump_byte_for_byte_on_mlflow_shaped_files(document):
    expected = yaml.safe_dump(document, default_flow_style=False, allow_unicode=True, width=float("inf"))
    assert meta_yaml.dumps(document) == expected


def test_reader_agrees_with_pyyaml_on_damaged_files():
    """Random damage: both parsers accept with the same value, or both refuse."""
    base = (
        "artifact_uri: file:///tmp/m/1/abc/artifacts\nend_time: null\nexperiment_id: '1'\nrun_name: my run\n"
        "source: '{\"tags\": {\"mlflow.user\": \"root\", \"mlflow.source.name\": \"gen.py\", \"mlflow.source.type\":\n"
        "  \"LOCAL\"}}'\nstatus: 3\ntags:\n  a: b\n  'c d': \"e\\tf\"\nlist: []\n"
    )
    rnd = random.Random(7)
    marks = list(" :'\"#-\n\\ax0[]{}|>&*!?,%@`~")
    for _ in range(3000):
        chars = list(base)
        for _ in range(rnd.randint(1, 4)):
            position = rnd.randrange(len(chars))
            roll = rnd.random()
            if roll < 0.4:
                chars.insert(position, rnd.choice(marks))
            elif roll < 0.8:
                del chars[position]
            else:
                chars[position] = rnd.choice(marks)
        text = "".join(chars)
        try:
            expected = ("ok", yaml.safe_load(text))
        except yaml.YAMLError:
            expected = ("error",)
        try:
            got = ("ok", meta_yaml.loads(text))
        except meta_yaml.MetaYamlError:
            got = ("error",)
        assert got == expected, repr(text)


def test_outside_the_subset_falls_back_to_pyyaml():
    assert meta_yaml.loads("a: 1.5\nb: 2001-12-14\nc: 0x10\n") == yaml.safe_load("a: 1.5\nb: 2001-12-14\nc: 0x10\n")
    assert meta_yaml.loads("a: [1, 2]\nb: |\n  text\n") == {"a": [1, 2], "b": "text\n"}
    assert meta_yaml.loads("# comment\na: b # trailing\n") == {"a": "b"}
    with pytest.raises(meta_yaml.MetaYamlError):
        meta_yaml.loads("a: 'unterminated\n")
    with pytest.raises(meta_yaml.MetaYamlError):
        meta_yaml.loads("a: b: c\n")


def test_empty_and_non_mapping_documents():
    assert meta_yaml.loads("") is None
    assert meta_yaml.loads("\n  \n") is None
    assert meta_yaml.loads("just text\n") == "just text"


def test_load_file_refuses_non_utf8(tmp_path):
    path = tmp_path / "meta.yaml"
    path.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(meta_yaml.MetaYamlError):
        meta_yaml.load_file(str(path))


def test_normal_files_are_read_without_importing_pyyaml(tmp_path):
    path = tmp_path / "meta.yaml"
    path.write_text(
        "artifact_uri: file:///x/1/r/artifacts\nend_time: null\nexperiment_id: '1'\nrun_name: 'a: b'\n"
        "long: 'a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a\n  b a b'\n"
        "tags:\n  mlflow.data.context: train\nstatus: 3\nlist: []\n",
        encoding="utf-8",
    )
    code = (
        "import sys; from runtime.store.file import meta_yaml; "
        f"d = meta_yaml.load_file({str(path)!r}); meta_yaml.dumps(d); "
        "assert d['run_name'] == 'a: b' and d['tags'] == {'mlflow.data.context': 'train'}; "
        "print('yaml' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
