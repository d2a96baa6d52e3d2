"""`mlf run`: run an MLflow Project entry point as a tracked run.

Steps, as MLflow's local backend takes them:
  1. fetch the project (local folder, zip or git) and load its MLproject
  2. resolve the experiment (--experiment-id, or --experiment-name created when missing)
  3. create the run with the source tags and the parameters (or reuse --run-id)
  4. prepare the environment (local, virtualenv, uv, conda or a docker image)
  5. run the command in bash with MLFLOW_RUN_ID, MLFLOW_TRACKING_URI and
     MLFLOW_EXPERIMENT_ID set, then record FINISHED or FAILED (KILLED on interrupt)
A failed entry point raises MlfError, so `mlf run` exits non-zero.
"""

import getpass
import os
import signal
import subprocess
import sys
import tempfile
import time

from runtime.entities import Param, RunStatus, RunTag
from runtime.errors import InvalidParameter, MlfError
from runtime.projects import fetch
from runtime.projects.spec import CONDA_ENV, DOCKER_ENV, load_project

BACKENDS = ("local",)
REMOTE_BACKENDS = ("databricks", "kubernetes")
DOCKER_WORKDIR = "/mlflow/projects/code"

# Tag keys MLflow records for project runs.
TAG_USER = "mlflow.user"
TAG_SOURCE_NAME = "mlflow.source.name"
TAG_SOURCE_TYPE = "mlflow.source.type"
TAG_GIT_COMMIT = "mlflow.source.git.commit"
TAG_GIT_REPO_URL = "mlflow.source.git.repoURL"
TAG_GIT_BRANCH = "mlflow.source.git.branch"
TAG_ENTRY_POINT = "mlflow.project.entryPoint"
TAG_BACKEND = "mlflow.project.backend"
TAG_ENV = "mlflow.project.env"
TAG_RUN_NAME = "mlflow.runName"
TAG_DOCKER_IMAGE = "mlflow.docker.image.name"


class SubmittedRun:
    def __init__(self, run_id, experiment_id, status, exit_code):
        self.run_id = run_id
        self.experiment_id = experiment_id
        self.status = status
        self.exit_code = exit_code


def _log(message):
    print(f"mlf.projects: {message}", file=sys.stderr, flush=True)


def parse_key_values(pairs, what):
    """['a=1', ('b', '2')] -> {'a': '1', 'b': '2'}; a bare name maps to True (for -A flags)."""
    result = {}
    for pair in pairs or ():
        name, sep, value = (pair[0], "=", pair[1]) if isinstance(pair, tuple) else str(pair).partition("=")
        if not name:
            raise InvalidParameter(f"Invalid {what} {pair!r}: expected NAME=VALUE")
        if not sep:
            if what == "parameter":
                raise InvalidParameter(f"Invalid parameter {pair!r}: expected NAME=VALUE")
            result[name] = True
        else:
            if name in result:
                raise InvalidParameter(f"Repeated {what} {name!r}")
            result[name] = value
    return result


def parse_backend_config(value):
    """-c: a .json file or a JSON string -> dict."""
    if not value:
        return {}
    text = value
    if str(value).endswith(".json"):
        if not os.path.isfile(value):
            raise InvalidParameter(f"Backend config file {value} does not exist")
        with open(value, encoding="utf-8") as handle:
            text = handle.read()
    from runtime.json_object import parse_json_object

    try:
        return parse_json_object(text) or {}
    except ValueError as exc:
        raise InvalidParameter.for_param("backend_config", f"must be a .json file or a JSON object: {exc}") from None


def absolute_tracking_uri(uri):
    """A URI the child process can use from any working directory."""
    from runtime.tracking_uri import local_path_from_uri, path_to_file_uri, uri_scheme

    scheme = uri_scheme(uri)
    if scheme == "file":
        return path_to_file_uri(local_path_from_uri(uri)) if uri.startswith("file:") else os.path.abspath(uri)
    if scheme == "sqlite" and uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        path = uri[len("sqlite:///"):]
        if path and path != ":memory:":
            return "sqlite:///" + os.path.abspath(path)
    return uri


def resolve_experiment(store, experiment_name=None, experiment_id=None):
    if experiment_name and experiment_id:
        raise InvalidParameter("Specify only one of 'experiment_name' or 'experiment_id'.")
    if experiment_id:
        return str(store.get_experiment(str(experiment_id)).experiment_id)
    if experiment_name:
        experiment = store.get_experiment_by_name(experiment_name)
        if experiment is not None:
            return experiment.experiment_id
        _log(f"experiment '{experiment_name}' does not exist, creating it")
        return store.create_experiment(experiment_name)
    return "0"


def _resolve_paths(entry_point, declared, storage_dir):
    """path parameters: local files become absolute paths, remote URIs are downloaded."""
    from runtime.models.uris import download_artifacts, is_local_uri
    from runtime.tracking_uri import local_path_from_uri

    resolved = dict(declared)
    for position, (name, parameter) in enumerate(entry_point.parameters.items()):
        if parameter.type != "path":
            continue
        value = declared[name]
        if is_local_uri(value):
            local = local_path_from_uri(value)
            if not os.path.exists(local):
                raise InvalidParameter(
                    f"Got value {value} for parameter {name}, but no such file or directory was found."
                )
            resolved[name] = os.path.abspath(local)
        else:
            target = os.path.join(storage_dir, f"param_{position}")
            os.makedirs(target, exist_ok=True)
            resolved[name] = download_artifacts(value, target)
    return resolved


def _choose_env_manager(project, env_manager):
    from runtime.models import envs

    if env_manager is not None:
        envs.validate_env_manager(env_manager)
        if project.env_type == "python_env" and env_manager == envs.CONDA:
            raise InvalidParameter(
                "python_env project cannot be executed using conda. Set `--env-manager` to 'virtualenv' or "
                "'local' to execute this project."
            )
        if project.env_type == DOCKER_ENV:
            return "docker"
        return env_manager
    return {CONDA_ENV: envs.CONDA, DOCKER_ENV: "docker"}.get(project.env_type, envs.VIRTUALENV)


def _project_environment(project, manager):
    """An Environment for virtualenv/uv/conda projects, None for local and docker."""
    from runtime.models import envs
    from runtime.models.python_env import PythonEnv

    if manager in (envs.LOCAL, "docker"):
        return None
    if project.env_type == CONDA_ENV and manager != envs.CONDA:
        python_env = PythonEnv.from_conda_yaml(project.env_config_path)
    elif project.env_config_path and manager != envs.CONDA:
        python_env = PythonEnv.from_yaml(project.env_config_path)
    else:
        python_env = PythonEnv()
    conda_file = project.env_config_path if manager == envs.CONDA else None
    return envs.get_or_create(python_env, manager, project.directory, conda_file=conda_file)


def _docker_command(project, command, run_env, docker_args, tracking_uri, build_image, run_id):
    from runtime.models.docker import docker_engine
    from runtime.tracking_uri import local_path_from_uri, uri_scheme

    docker = docker_engine()
    image = project.docker_env["image"]
    if build_image:
        tag = f"{project.name or 'mlf-project'}:{run_id[:12]}"
        with tempfile.TemporaryDirectory(prefix="mlf-project-image-") as context:
            with open(os.path.join(context, "Dockerfile"), "w", encoding="utf-8") as handle:
                handle.write(f"FROM {image}\nCOPY project/ {DOCKER_WORKDIR}\nWORKDIR {DOCKER_WORKDIR}\n")
            import shutil

            shutil.copytree(project.directory, os.path.join(context, "project"))
            completed = subprocess.run([docker, "build", "-t", tag, context], stdout=sys.stderr, stderr=sys.stderr)
        if completed.returncode != 0:
            raise MlfError(f"`docker build` of the project image failed with exit code {completed.returncode}")
        image = tag
    argv = [docker, "run", "--rm"]
    for name, value in docker_args.items():
        flag = f"-{name}" if len(name) == 1 else f"--{name}"
        argv += [flag] if value is True else [flag, str(value)]
    if not build_image:
        argv += ["-v", f"{project.directory}:{DOCKER_WORKDIR}"]
    argv += ["-w", DOCKER_WORKDIR]
    environment = dict(run_env)
    if uri_scheme(tracking_uri) == "file":
        store_path = local_path_from_uri(tracking_uri)
        argv += ["-v", f"{store_path}:{store_path}"]
    for volume in project.docker_env.get("volumes") or []:
        argv += ["-v", volume]
    for entry in project.docker_env.get("environment") or []:
        if isinstance(entry, list):
            environment[entry[0]] = entry[1]
        else:
            if entry not in os.environ:
                raise MlfError(f"This project expects the {entry} environment variable to be set on this machine")
            environment[entry] = os.environ[entry]
    for key, value in environment.items():
        argv += ["-e", f"{key}={value}"]
    return argv + [image, "bash", "-c", command], image


def run_project(uri, entry_point="main", version=None, parameters=None, docker_args=None, experiment_name=None,
                experiment_id=None, backend="local", backend_config=None, env_manager=None, storage_dir=None,
                run_id=None, run_name=None, build_image=False, tracking_uri=None, store=None):
    """Run the entry point synchronously; returns a SubmittedRun, raises MlfError when it fails."""
    from runtime.store.factory import get_tracking_store
    from runtime.tracking_uri import resolve_tracking_uri

    backend = backend or "local"
    if backend in REMOTE_BACKENDS:
        raise MlfError(
            f"The {backend} backend is not available in mlf: projects run here only with the local backend (-b local)."
        )
    if backend not in BACKENDS:
        raise InvalidParameter(f"Got unsupported execution mode {backend}. Supported values: {list(BACKENDS)}")
    parse_backend_config(backend_config)
    user_parameters = parameters if isinstance(parameters, dict) else parse_key_values(parameters, "parameter")
    docker_options = docker_args if isinstance(docker_args, dict) else parse_key_values(docker_args, "docker argument")
    tracking_uri = absolute_tracking_uri(resolve_tracking_uri(tracking_uri))
    store = store or get_tracking_store(tracking_uri)

    if storage_dir:
        os.makedirs(storage_dir, exist_ok=True)
    work_dir, _ = fetch.fetch_project(uri, version, scratch_root=storage_dir)
    project = load_project(work_dir)
    entry = project.entry_point(entry_point)
    declared, extra = entry.resolve_parameters(user_parameters)
    manager = _choose_env_manager(project, env_manager)
    experiment_id = resolve_experiment(store, experiment_name, experiment_id)

    if run_id:
        run = store.get_run(run_id)
        if run.info.status in RunStatus.TERMINATED:
            raise InvalidParameter(f"Run {run_id} is already {run.info.status}; a project needs a running run")
        experiment_id = run.info.experiment_id
    else:
        tags = {
            TAG_USER: getpass.getuser(),
            TAG_SOURCE_NAME: fetch.source_name(uri),
            TAG_SOURCE_TYPE: "PROJECT",
            TAG_ENTRY_POINT: entry_point,
        }
        commit = fetch.git_commit(work_dir)
        if commit:
            tags[TAG_GIT_COMMIT] = commit
        repo_url = fetch.git_repo_url(work_dir)
        if repo_url:
            tags[TAG_GIT_REPO_URL] = repo_url
        if fetch.is_branch(work_dir, version):
            tags[TAG_GIT_BRANCH] = version
        if run_name:
            tags[TAG_RUN_NAME] = run_name
        run = store.create_run(experiment_id, user_id=tags[TAG_USER], start_time=int(time.time() * 1000),
                               tags=tags, run_name=run_name)
        logged = [Param(k, v) for k, v in list(declared.items()) + list(extra.items())]
        if logged:
            store.log_batch(run.info.run_id, params=logged)
    run_id = run.info.run_id
    late_tags = [RunTag(TAG_BACKEND, backend), RunTag(TAG_ENV, manager)]
    if run_name and run.info.run_name != run_name:
        store.update_run_info(run_id, run_name=run_name)
        late_tags.append(RunTag(TAG_RUN_NAME, run_name))
    store.log_batch(run_id, tags=late_tags)

    try:
        scratch = tempfile.mkdtemp(prefix="mlf-run-", dir=storage_dir)
        command = entry.command_line(_resolve_paths(entry, declared, scratch), extra)
        run_env = {"MLFLOW_RUN_ID": run_id, "MLFLOW_TRACKING_URI": tracking_uri,
                   "MLFLOW_EXPERIMENT_ID": str(experiment_id)}
        if manager == "docker":
            argv, image = _docker_command(project, command, run_env, docker_options, tracking_uri, build_image, run_id)
            store.set_tag(run_id, RunTag(TAG_DOCKER_IMAGE, image))
            environ = dict(os.environ)
        else:
            environment = _project_environment(project, manager)
            base = dict(os.environ)
            environ = environment.child_environ(run_env, base=base) if environment else {**base, **run_env}
            argv = ["bash", "-c", command]
    except BaseException:
        store.update_run_info(run_id, status=RunStatus.FAILED, end_time=int(time.time() * 1000))
        raise
    _log(f"=== Running command '{command}' in run with ID '{run_id}' ===")
    status, code = _execute(argv, work_dir, environ)
    store.update_run_info(run_id, status=status, end_time=int(time.time() * 1000))
    if status != RunStatus.FINISHED:
        raise MlfError(f"Run (ID '{run_id}') {'was killed' if status == RunStatus.KILLED else 'failed'}"
                       f" (exit code {code})")
    _log(f"=== Run (ID '{run_id}') succeeded ===")
    return SubmittedRun(run_id, experiment_id, status, code)


def _execute(argv, cwd, environ):
    """Run the entry point; (status, exit code). Ctrl-C stops the child and marks the run KILLED."""
    process = subprocess.Popen(argv, cwd=cwd, env=environ, start_new_session=True)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return RunStatus.KILLED, process.wait()
    return (RunStatus.FINISHED if code == 0 else RunStatus.FAILED), code

