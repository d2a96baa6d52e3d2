"""MLproject parsing, parameter checks and command building."""

import shlex
from pathlib import Path

import pytest

from runtime.errors import InvalidParameter
from runtime.projects.fetch import source_name, split_subdirectory
from runtime.projects.runner import absolute_tracking_uri, parse_backend_config, parse_key_values
from runtime.projects.spec import load_project

FIXTURES = Path(__file__).parent / "fixtures"


def write_project(folder, text, **files):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MLproject").write_text(text)
    for name, content in files.items():
        (folder / name.replace("__", ".")).write_text(content)
    return folder


def test_fixture_project_loads_with_typed_parameters():
    project = load_project(FIXTURES / "params")
    assert project.name == "params-demo"
    assert project.env_type == "python_env" and project.env_config_path.endswith("python_env.yaml")
    main = project.entry_point("main")
    assert {n: p.type for n, p in main.parameters.items()} == {
        "alpha": "float", "epochs": "int", "label": "string", "data": "path", "source": "uri"}
    assert main.parameters["data"].default is None


def test_defaults_overrides_and_extras_are_quoted():
    main = load_project(FIXTURES / "params").entry_point("main")
    declared, extra = main.resolve_parameters({"data": "d.csv", "label": "it's; rm -rf /", "seed": "7 8"})
    assert declared == {"alpha": "0.1", "epochs": "3", "label": "it's; rm -rf /", "data": "d.csv",
                        "source": "s3://bucket/data"}
    command = main.command_line(declared, extra)
    assert shlex.split(command) == ["python", "report.py", "--alpha", "0.1", "--epochs", "3", "--label",
                                    "it's; rm -rf /", "--data", "d.csv", "--source", "s3://bucket/data",
                                    "--seed", "7 8"]


@pytest.mark.parametrize("values, message", [
    ({}, "No value given for missing parameters: 'data'"),
    ({"data": "x", "epochs": "2.5"}, "'epochs' is an int"),
    ({"data": "x", "alpha": "fast"}, "'alpha' is a float"),
    ({"data": "x", "source": "/no/scheme"}, "Expected URI for parameter source"),
])
def test_bad_parameter_values(values, message):
    main = load_project(FIXTURES / "params").entry_point("main")
    with pytest.raises(InvalidParameter, match=message):
        main.resolve_parameters(values)


def test_undeclared_script_entry_points(tmp_path):
    project_dir = write_project(tmp_path / "p", "name: p\n", run__py="print(1)\n", go__sh="echo\n")
    project = load_project(project_dir)
    assert project.entry_point("run.py").command == "python run.py"
    assert project.entry_point("go.sh").command.endswith(" go.sh")
    with pytest.raises(InvalidParameter, match="does not exist"):
        project.entry_point("other.py")
    with pytest.raises(InvalidParameter, match="Could not find train among entry points"):
        project.entry_point("train")


def test_project_without_mlproject_uses_env_files(tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    assert load_project(folder).env_type == "python_env" and load_project(folder).env_config_path is None
    (folder / "conda.yaml").write_text("name: x\n")
    assert load_project(folder).env_type == "conda_env"


@pytest.mark.parametrize("text, message", [
    ("entry_points:\n  main:\n    parameters: {a: {type: decimal}}\n    command: x\n", "unknown type 'decimal'"),
    ("entry_points:\n  main:\n    parameters: {a: {type: int, deflt: 1}}\n    command: x\n", "unexpected keys"),
    ("entry_points:\n  main: {}\n", "needs a command"),
    ("python_env: a.yaml\nconda_env: b.yaml\n", "multiple environment fields"),
    ("python_env: missing.yaml\n", "no such file"),
    ("python_env: ../../etc/passwd\n", "outside"),
    ("docker_env: {volumes: [a]}\n", "no image attribute"),
    ("docker_env: {image: x, volumes: 3}\n", "volumes"),
    ("[not, a, mapping]\n", "YAML mapping"),
    ("a: [\n", "Cannot read"),
])
def test_invalid_mlproject_files(tmp_path, text, message):
    with pytest.raises(InvalidParameter, match=message):
        load_project(write_project(tmp_path / "p", text))


def test_undeclared_placeholders_fail_when_the_entry_point_runs(tmp_path):
    text = "entry_points:\n  bad:\n    command: 'python {x}.py'\n  good:\n    command: 'python ok.py'\n"
    project = load_project(write_project(tmp_path / "p", text))
    assert project.entry_point("good").resolve_parameters({}) == ({}, {})
    with pytest.raises(InvalidParameter, match="not declared parameters"):
        project.entry_point("bad").resolve_parameters({})


def test_unknown_keys_are_ignored_with_a_warning(tmp_path, caplog):
    project = load_project(write_project(tmp_path / "p", "nmae: typo\nentry_points: {}\n"))
    assert project.name is None
    assert "ignoring unknown keys ['nmae']" in caplog.text


def test_subdirectories_and_source_names(tmp_path):
    assert split_subdirectory("https://h/r.git#a/b") == ("https://h/r.git", "a/b")
    assert split_subdirectory("'./p'") == ("./p", "")
    with pytest.raises(InvalidParameter):
        split_subdirectory("https://h/r.git#../x")
    assert source_name(str(tmp_path)) == str(tmp_path)
    assert source_name("https://h/r.git#a") == "https://h/r.git#a"


def test_key_values_backend_config_and_tracking_uris(tmp_path, monkeypatch):
    assert parse_key_values(["a=1", "b=x=y"], "parameter") == {"a": "1", "b": "x=y"}
    assert parse_key_values(["gpus=all", "t"], "docker argument") == {"gpus": "all", "t": True}
    with pytest.raises(InvalidParameter):
        parse_key_values(["novalue"], "parameter")
    with pytest.raises(InvalidParameter, match="Repeated"):
        parse_key_values(["a=1", "a=2"], "parameter")
    assert parse_backend_config('{"k": 1}') == {"k": 1}
    (tmp_path / "c.json").write_text('{"k": 2}')
    assert parse_backend_config(str(tmp_path / "c.json")) == {"k": 2}
    with pytest.raises(InvalidParameter):
        parse_backend_config("{oops")
    monkeypatch.chdir(tmp_path)
    assert absolute_tracking_uri("mlruns") == str(tmp_path / "mlruns")
    assert absolute_tracking_uri("sqlite:///db.sqlite") == f"sqlite:///{tmp_path}/db.sqlite"
    assert absolute_tracking_uri("http://host:5000") == "http://host:5000"
