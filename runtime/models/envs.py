"""Environment managers: where a model (or project) runs.

  local       this interpreter, nothing is installed
  virtualenv  `python -m venv` with the Python version the model asks for (this interpreter
              when major.minor match, else pythonX.Y on PATH, else pyenv), then pip
  uv          `uv venv` + `uv pip install` (uv finds or fetches the Python version)
  conda       `conda env create` from the model's conda.yaml

Environments are cached under MLFLOW_ENV_ROOT (default ~/.mlf/envs) in a folder named by a
hash of everything that goes into them, built under a file lock and marked complete only
after every step succeeded, so a failed build is never reused. Into every environment mlf
also installs what its own code needs to score (SCORING_REQUIREMENTS); mlf itself is reached
through PYTHONPATH, or installed there with install_mlf (`--install-mlflow`).
"""

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys

from runtime.errors import InvalidParameter, MlfError

LOCAL = "local"
VIRTUALENV = "virtualenv"
UV = "uv"
CONDA = "conda"
ENV_MANAGERS = (LOCAL, VIRTUALENV, UV, CONDA)
ENV_ROOT_VAR = "MLFLOW_ENV_ROOT"
# What mlf's scoring code imports besides the model's own requirements.
SCORING_REQUIREMENTS = ("starlette", "uvicorn", "httptools", "uvloop", "pandas", "numpy", "pyyaml")
_COMPLETE_MARKER = ".mlf-env-complete"


def validate_env_manager(name):
    if name not in ENV_MANAGERS:
        raise InvalidParameter.for_param("env_manager", f"{name!r} is not one of {', '.join(ENV_MANAGERS)}")
    return name


def env_root():
    return os.path.abspath(os.path.expanduser(os.environ.get(ENV_ROOT_VAR) or os.path.join("~", ".mlf", "envs")))


def project_root():
    """The source checkout mlf runs from (holds pyproject.toml and the runtime package)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Environment:
    """A built environment: its interpreter and how to activate it for a child process."""

    def __init__(self, manager, path, python, mlf_installed=False, mlf_on_path=True):
        self.manager = manager
        self.path = path
        self.python = python
        self.mlf_installed = mlf_installed
        self.mlf_on_path = mlf_on_path  # children import mlf's code from its checkout

    @property
    def bin_dir(self):
        return os.path.dirname(self.python)

    def child_environ(self, extra=None, base=None):
        """os.environ for a process inside this environment (as if activated)."""
        environ = dict(os.environ if base is None else base)
        if self.manager != LOCAL:
            environ["PATH"] = self.bin_dir + os.pathsep + environ.get("PATH", "")
            environ["VIRTUAL_ENV" if self.manager != CONDA else "CONDA_PREFIX"] = self.path
            environ.pop("PYTHONHOME", None)
        if self.mlf_on_path and not self.mlf_installed:
            root = project_root()
            current = environ.get("PYTHONPATH")
            environ["PYTHONPATH"] = root + (os.pathsep + current if current else "")
        environ.update(extra or {})
        return environ


def local_environment():
    return Environment(LOCAL, sys.prefix, sys.executable, mlf_installed=True)


def require_tool(tool, hint):
    path = shutil.which(tool)
    if path is None:
        raise MlfError(f"The '{tool}' command was not found on PATH. {hint}")
    return path


def _run(argv, cwd=None, env=None):
    """Run a build step; its output goes to stderr so that stdout stays clean for predictions."""
    try:
        completed = subprocess.run(argv, cwd=cwd, env=env, stdout=sys.stderr, stderr=sys.stderr, stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise MlfError(f"Cannot run {argv[0]}: {exc}") from None
    if completed.returncode != 0:
        raise MlfError(f"Building the environment failed: `{' '.join(map(str, argv))}` exited with {completed.returncode}")


def _python_version_of(executable):
    try:
        out = subprocess.run([executable, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python(version):
    """An interpreter for the requested version (major.minor must match)."""
    wanted = str(version).split(".")
    if len(wanted) < 2:
        raise InvalidParameter(f"Invalid Python version {version!r} in the environment file")
    if platform.python_version_tuple()[:2] == tuple(wanted[:2]):
        return sys.executable
    candidate = shutil.which(f"python{wanted[0]}.{wanted[1]}")
    if candidate and (_python_version_of(candidate) or "").split(".")[:2] == wanted[:2]:
        return candidate
    pyenv = require_tool(
        "pyenv",
        f"The environment needs Python {version}, this interpreter is {platform.python_version()} and no "
        f"python{wanted[0]}.{wanted[1]} is on PATH. Install pyenv (https://github.com/pyenv/pyenv) so that mlf "
        "can install that version, or use --env-manager uv or local.",
    )
    _run([pyenv, "install", "--skip-existing", str(version)])
    root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
    python = os.path.join(root, "versions", str(version), "bin", "python")
    if not os.path.isfile(python):
        raise MlfError(f"pyenv did not produce {python}")
    return python


def environment_key(manager, python_env, dependencies, extra_requirements, install_mlf, conda_file=None, tooling=()):
    from runtime import __version__

    material = {
        "manager": manager,
        "python": python_env.python,
        "build": python_env.build_dependencies,
        "dependencies": dependencies,
        "extra": list(extra_requirements),
        "tooling": list(tooling),
        "install_mlf": bool(install_mlf),
        "mlf": __version__,
    }
    if conda_file:
        with open(conda_file, encoding="utf-8") as handle:
            material["conda"] = handle.read()
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()
    return f"mlf-{manager}-{digest[:20]}"


def get_or_create(python_env, manager, base_dir, extra_requirements=(), install_mlf=False, conda_file=None,
                  tooling=()):
    """The environment for python_env (built now unless a complete one is cached).

    tooling: packages mlf's own code needs in there (SCORING_REQUIREMENTS for models)."""
    validate_env_manager(manager)
    if manager == LOCAL:
        return local_environment()
    if manager == UV:
        require_tool("uv", "Install uv (pip install uv, or see https://docs.astral.sh/uv/) or use --env-manager virtualenv.")
    if manager == CONDA:
        require_tool("conda", "Install conda (Miniconda or Miniforge) or use --env-manager virtualenv or uv.")
        if not conda_file:
            raise MlfError.for_param("env_manager", "conda needs a conda.yaml in the model or project")
    if install_mlf and not os.path.isfile(os.path.join(project_root(), "pyproject.toml")):
        raise MlfError.for_param("install_mlflow", f"needs mlf's source checkout; {project_root()} has no pyproject.toml")
    dependencies = python_env.resolved_dependencies(base_dir)
    name = environment_key(manager, python_env, dependencies, extra_requirements, install_mlf, conda_file, tooling)
    root = env_root()
    os.makedirs(root, exist_ok=True)
    path = os.path.join(root, name)
    python = os.path.join(path, "bin", "python")
    import fcntl

    with open(os.path.join(root, f".{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder per environment, others wait and reuse
        if not os.path.exists(os.path.join(path, _COMPLETE_MARKER)):
            if os.path.exists(path):
                shutil.rmtree(path)  # a build that failed half-way
            try:
                _build(manager, python_env, dependencies, base_dir, path, python, extra_requirements, install_mlf,
                       conda_file, tooling)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            with open(os.path.join(path, _COMPLETE_MARKER), "w") as marker:
                marker.write(name)
    return Environment(manager, path, python, mlf_installed=install_mlf, mlf_on_path=bool(tooling))


def _build(manager, python_env, dependencies, base_dir, path, python, extra_requirements, install_mlf, conda_file,
           tooling):
    print(f"Creating a {manager} environment in {path}", file=sys.stderr)
    if manager == VIRTUALENV:
        _run([find_python(python_env.python), "-m", "venv", path])
        install = [python, "-m", "pip", "install", "--quiet"]
        if python_env.build_dependencies:
            _run(install + python_env.build_dependencies)
    elif manager == UV:
        uv = shutil.which("uv")
        _run([uv, "venv", "--python", python_env.python, path])
        install = [uv, "pip", "install", "--quiet", "--python", python]
        if python_env.build_dependencies:
            _run(install + python_env.build_dependencies)
    else:
        conda = shutil.which("conda")
        _run([conda, "env", "create", "--quiet", "--prefix", path, "--file", conda_file])
        install = [python, "-m", "pip", "install", "--quiet"]
        dependencies = []  # conda.yaml's pip section was installed by conda itself
    if dependencies:
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            listing = os.path.join(scratch, "requirements.txt")
            with open(listing, "w", encoding="utf-8") as handle:
                handle.write("\n".join(dependencies) + "\n")
            _run(install + ["-r", listing], cwd=base_dir)
    if extra_requirements:
        _run(install + list(extra_requirements), cwd=base_dir)
    if tooling:
        _run(install + list(tooling))
    if install_mlf:
        _run(install + [project_root()])


# ---- models --------------------------------------------------------------------------------
def model_python_env(model_dir, manager):
    """The PythonEnv a model asks for: python_env.yaml, else conda.yaml, else requirements.txt."""
    from runtime.models.python_env import PythonEnv

    virtualenv_file = model_dir.env_file("virtualenv")
    conda_file = model_dir.env_file("conda")
    if manager != CONDA and virtualenv_file:
        return PythonEnv.from_yaml(virtualenv_file)
    if conda_file:
        return PythonEnv.from_conda_yaml(conda_file)
    requirements = ["-r requirements.txt"] if model_dir.requirements_path else []
    return PythonEnv(model_dir.python_version, ["pip"], requirements)


def parse_requirements_override(text):
    """`-r "a==1,b"` -> ["a==1", "b"]."""
    if not text:
        return []
    return [part.strip() for part in str(text).split(",") if part.strip()]


def prepare_model_env(model_path, manager, install_mlf=False, pip_requirements_override=None):
    """Build (or find) the environment the model at model_path runs in."""
    from runtime.models.model_dir import ModelDir

    validate_env_manager(manager)
    model_dir = ModelDir.load(model_path)
    if manager == LOCAL:
        if pip_requirements_override:
            raise InvalidParameter.for_param("pip_requirements_override", "is not supported with the local environment manager")
        return local_environment()
    extra = parse_requirements_override(pip_requirements_override) if isinstance(pip_requirements_override, str) \
        else list(pip_requirements_override or [])
    return get_or_create(
        model_python_env(model_dir, manager),
        manager,
        model_dir.path,
        extra_requirements=extra,
        install_mlf=install_mlf,
        conda_file=model_dir.env_file("conda") if manager == CONDA else None,
        tooling=SCORING_REQUIREMENTS,
    )
