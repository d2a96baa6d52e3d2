"""Run predict / serve for a model URI in the chosen environment manager.

With env manager `local` the work happens in this process. Otherwise the model's
environment is built (or reused) and `python -m runtime.models.child ...` runs inside it,
sharing this process's stdin, stdout and stderr; its exit code becomes ours.
"""

import os
import signal
import subprocess

from runtime.errors import InvalidParameter, MlfError
from runtime.models import envs
from runtime.models.predict import validate_content_type
from runtime.models.uris import local_model


def parse_extra_env(pairs):
    """--env KEY=VALUE (repeated) -> dict."""
    result = {}
    for pair in pairs or ():
        if isinstance(pair, (list, tuple)):
            key, value = pair
        else:
            if "=" not in str(pair):
                raise InvalidParameter(f"{pair!r} is not a valid key value pair, expecting `key=value`")
            key, value = str(pair).split("=", 1)
        if not key:
            raise InvalidParameter(f"{pair!r} has an empty key, expecting `key=value`")
        result[key] = value
    return result


# Signals a supervisor sends to stop us; the child must get them too, or it outlives us.
_FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# Exit codes of a child stopped by the user or a supervisor (killed by the signal, or 128 + it).
STOPPED_CODES = frozenset(code for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) for code in (-sig, 128 + sig))


def _run_child(environment, arguments, extra_env=None):
    argv = [environment.python, "-m", "runtime.models.child", *arguments]
    process = subprocess.Popen(argv, env=environment.child_environ(extra_env))

    def forward(signum, frame):
        process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in _FORWARDED_SIGNALS}
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def predict(model_uri, input_path=None, output_path=None, content_type="json", env_manager=envs.VIRTUALENV,
            install_mlf=False, pip_requirements_override=None, extra_env=None, tracking_uri=None, stdout=None):
    validate_content_type(content_type)
    envs.validate_env_manager(env_manager)
    extra = parse_extra_env(extra_env)
    if extra and env_manager == envs.LOCAL:
        raise InvalidParameter.for_param("env", "is only supported with the virtualenv, uv or conda environment managers")
    if env_manager == envs.LOCAL and pip_requirements_override:
        raise InvalidParameter.for_param("pip_requirements_override", "is not supported with the local environment manager")
    with local_model(model_uri, tracking_uri) as model_path:
        if env_manager == envs.LOCAL:
            from runtime.models.predict import predict_local

            predict_local(model_path, input_path, output_path, content_type, stdout=stdout)
            return
        environment = envs.prepare_model_env(model_path, env_manager, install_mlf, pip_requirements_override)
        arguments = ["predict", "--model-path", model_path, "--content-type", content_type]
        if input_path:
            arguments += ["--input-path", os.path.abspath(input_path)]
        if output_path:
            arguments += ["--output-path", os.path.abspath(output_path)]
        code = _run_child(environment, arguments, extra)
        if code != 0:
            raise MlfError(f"Prediction inside the {env_manager} environment failed (exit code {code})")


def serve(model_uri, host="127.0.0.1", port=5000, workers=None, timeout=60, env_manager=envs.VIRTUALENV,
          install_mlf=False, enable_mlserver=False, tracking_uri=None):
    from runtime.models.server import parse_workers

    envs.validate_env_manager(env_manager)
    parse_workers(workers)
    with local_model(model_uri, tracking_uri) as model_path:
        if env_manager == envs.LOCAL:
            from runtime.models.server import serve as run_server

            run_server(model_path, host, port, workers, timeout, enable_mlserver)
            return
        environment = envs.prepare_model_env(model_path, env_manager, install_mlf)
        arguments = ["serve", "--model-path", model_path, "--host", host, "--port", str(port),
                     "--timeout", str(timeout)]
        if workers:
            arguments += ["--workers", str(workers)]
        if enable_mlserver:
            arguments.append("--enable-mlserver")
        code = _run_child(environment, arguments)
        if code != 0 and code not in STOPPED_CODES:
            raise MlfError(f"The scoring server inside the {env_manager} environment exited with code {code}")


def prepare_env(model_uri, env_manager=envs.VIRTUALENV, install_mlf=False, tracking_uri=None):
    """Build the model's environment now; returns the Environment."""
    envs.validate_env_manager(env_manager)
    with local_model(model_uri, tracking_uri) as model_path:
        environment = envs.prepare_model_env(model_path, env_manager, install_mlf)
        if env_manager != envs.LOCAL:
            # Import mlf's scoring code once inside the environment: proves it can run there.
            code = _run_child(environment, ["check"])
            if code != 0:
                raise MlfError(f"The {env_manager} environment at {environment.path} cannot run mlf's scoring code")
        return environment
