"""MLproject files: name, entry points with typed parameters, and the project's environment.

    name: my-project
    python_env: python_env.yaml          # or conda_env: conda.yaml, or docker_env: {image: ...}
    entry_points:
      main:
        parameters:
          alpha: {type: float, default: 0.1}
          data: path                      # a bare type: required parameter
        command: "python train.py --alpha {alpha} --data {data}"

Parameter types are string, float, int, path and uri. Values given on the command line
override defaults; parameters the entry point does not declare are appended to the command
as `--name value`. Every value is shell-quoted before it is put in the command. An entry
point that is not declared but names a .py or .sh file runs that file (python / $SHELL).
Without an MLproject file, python_env.yaml or conda.yaml next to the code is used.
"""

import logging
import os
import shlex
import string
from urllib.parse import urlparse

from runtime.errors import InvalidParameter

PARAMETER_TYPES = ("string", "float", "int", "path", "uri")
ENV_KEYS = ("python_env", "conda_env", "docker_env")
PYTHON_ENV, CONDA_ENV, DOCKER_ENV = ENV_KEYS
DEFAULT_PYTHON_ENV_FILE = "python_env.yaml"
DEFAULT_CONDA_FILE = "conda.yaml"
_KNOWN_KEYS = ("name", "entry_points", "databricks_spark_job") + ENV_KEYS
_logger = logging.getLogger(__name__)


class Parameter:
    def __init__(self, name, declaration):
        self.name = name
        if isinstance(declaration, str):
            self.type, self.default = declaration, None
        elif isinstance(declaration, dict):
            unknown = set(declaration) - {"type", "default"}
            if unknown:
                raise InvalidParameter(f"Parameter {name!r}: unexpected keys {sorted(unknown)} (use type and default)")
            self.type = declaration.get("type", "string")
            self.default = declaration.get("default")
        else:
            raise InvalidParameter(f"Parameter {name!r} must be a type name or a mapping with type/default")
        if self.type not in PARAMETER_TYPES:
            raise InvalidParameter(
                f"Parameter {name!r} has unknown type {self.type!r}; known types: {', '.join(PARAMETER_TYPES)}"
            )

    def check(self, value):
        """The value as text, after checking it fits the type (path/uri resolution is separate)."""
        text = str(value)
        if self.type == "float":
            try:
                float(text)
            except ValueError:
                raise InvalidParameter(f"Parameter {self.name!r} is a float, got {text!r}") from None
        elif self.type == "int":
            try:
                int(text)
            except ValueError:
                raise InvalidParameter(f"Parameter {self.name!r} is an int, got {text!r}") from None
        elif self.type == "uri":
            if not urlparse(text).scheme:
                raise InvalidParameter(f"Expected URI for parameter {self.name} but got {text}")
        return text


class EntryPoint:
    def __init__(self, name, parameters, command):
        self.name = name
        if not isinstance(command, str) or not command.strip():
            raise InvalidParameter(f"Entry point {name!r} needs a command")
        if not isinstance(parameters, dict):
            raise InvalidParameter(f"Entry point {name!r}: parameters must be a mapping")
        self.parameters = {str(key): Parameter(str(key), value) for key, value in parameters.items()}
        self.command = command

    def _check_placeholders(self):
        try:
            fields = [field for _, field, _, _ in string.Formatter().parse(self.command) if field is not None]
        except ValueError as exc:
            raise InvalidParameter(f"Entry point {self.name!r}: the command is not a valid template: {exc}") from None
        unknown = sorted({f for f in fields if f not in self.parameters})
        if unknown:
            raise InvalidParameter(
                f"Entry point {self.name!r}: the command uses {unknown}, which are not declared parameters"
            )

    def resolve_parameters(self, user_parameters):
        """(declared values, extra values) as text; missing required parameters are an error."""
        self._check_placeholders()  # here, not at load: other entry points stay usable
        user_parameters = dict(user_parameters or {})
        missing = [n for n, p in self.parameters.items() if n not in user_parameters and p.default is None]
        if missing:
            raise InvalidParameter("No value given for missing parameters: " + ", ".join(f"'{n}'" for n in missing))
        declared = {}
        for name, parameter in self.parameters.items():
            value = user_parameters[name] if name in user_parameters else parameter.default
            declared[name] = parameter.check(value)
        extra = {k: str(v) for k, v in user_parameters.items() if k not in self.parameters}
        return declared, extra

    def command_line(self, declared, extra):
        """The shell command with values substituted (all shell-quoted) and extras appended."""
        quoted = {name: shlex.quote(value) for name, value in declared.items()}
        parts = [self.command.format(**quoted)]
        parts += [f"--{shlex.quote(key)} {shlex.quote(value)}" for key, value in extra.items()]
        return " ".join(parts)


class Project:
    def __init__(self, directory, name, entry_points, env_type, env_config_path=None, docker_env=None):
        self.directory = directory
        self.name = name
        self.entry_points = entry_points
        self.env_type = env_type  # one of ENV_KEYS
        self.env_config_path = env_config_path
        self.docker_env = docker_env

    def entry_point(self, name):
        if name in self.entry_points:
            return self.entry_points[name]
        extension = os.path.splitext(name)[1]
        runners = {".py": "python", ".sh": os.environ.get("SHELL", "bash")}
        if extension in runners:
            script = os.path.join(self.directory, name)
            if not os.path.isfile(script):
                raise InvalidParameter(f"Entry point {name!r} is not declared and {script} does not exist")
            return EntryPoint(name, {}, f"{runners[extension]} {shlex.quote(name)}")
        raise InvalidParameter(
            f"Could not find {name} among entry points {sorted(self.entry_points)} or interpret {name} as a "
            f"runnable script. Supported script file extensions: {sorted(runners)}"
        )


def find_mlproject(directory):
    for filename in os.listdir(directory):
        if filename.lower() == "mlproject":
            return os.path.join(directory, filename)
    return None


def load_project(directory):
    import yaml

    directory = os.path.abspath(directory)
    path = find_mlproject(directory)
    data = {}
    if path is not None:
        try:
            with open(path, encoding="utf-8") as handle:
                data = yaml.safe_load(handle) or {}
        except yaml.YAMLError as exc:
            raise InvalidParameter(f"Cannot read {path}: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidParameter(f"{path} must be a YAML mapping")
        unknown = set(data) - set(_KNOWN_KEYS)
        if unknown:  # MLflow ignores them too; say so, since it is often a typo
            _logger.warning("%s: ignoring unknown keys %s (known keys: %s)", path, sorted(unknown), ", ".join(_KNOWN_KEYS))
        if "databricks_spark_job" in data:
            raise InvalidParameter(f"{path}: databricks_spark_job projects run only on Databricks, not in mlf")
    env_fields = [key for key in ENV_KEYS if key in data]
    if len(env_fields) > 1:
        raise InvalidParameter(f"Project cannot contain multiple environment fields: {env_fields}")
    entry_points = {}
    raw_entry_points = data.get("entry_points") or {}
    if not isinstance(raw_entry_points, dict):
        raise InvalidParameter("entry_points must be a mapping of name -> {parameters, command}")
    for name, body in raw_entry_points.items():
        if not isinstance(body, dict):
            raise InvalidParameter(f"Entry point {name!r} must be a mapping with parameters and command")
        entry_points[str(name)] = EntryPoint(str(name), body.get("parameters") or {}, body.get("command"))
    name = data.get("name")
    if DOCKER_ENV in data:
        docker_env = data[DOCKER_ENV]
        _check_docker_env(docker_env)
        return Project(directory, name, entry_points, DOCKER_ENV, docker_env=docker_env)
    for key, default in ((PYTHON_ENV, DEFAULT_PYTHON_ENV_FILE), (CONDA_ENV, DEFAULT_CONDA_FILE)):
        if key in data:
            from runtime.fsutil import contained_path

            config = contained_path(directory, str(data[key]))
            if not os.path.isfile(config):
                raise InvalidParameter(f"Project specified {key} file {config}, but no such file was found.")
            return Project(directory, name, entry_points, key, config)
    for key, default in ((PYTHON_ENV, DEFAULT_PYTHON_ENV_FILE), (CONDA_ENV, DEFAULT_CONDA_FILE)):
        candidate = os.path.join(directory, default)
        if os.path.isfile(candidate):
            return Project(directory, name, entry_points, key, candidate)
    return Project(directory, name, entry_points, PYTHON_ENV, None)


def _check_docker_env(docker_env):
    if not isinstance(docker_env, dict) or not docker_env.get("image"):
        raise InvalidParameter(
            "Project configuration (MLproject file) was invalid: Docker environment specified but no image attribute found."
        )
    volumes = docker_env.get("volumes")
    if volumes is not None and not (isinstance(volumes, list) and all(isinstance(v, str) for v in volumes)):
        raise InvalidParameter("docker_env volumes must be a list of strings, e.g. ['/path1/:/path1']")
    environment = docker_env.get("environment")
    if environment is not None and not (
        isinstance(environment, list)
        and all(isinstance(e, str) or (isinstance(e, list) and len(e) == 2) for e in environment)
    ):
        raise InvalidParameter(
            "docker_env environment must be a list of names (copied from this machine) or [name, value] pairs"
        )
