"""Start `mlf gateway start`: check the configuration in this process first (so a bad file or an
unset $VAR is one line and exit 2, never a hang), then serve it with uvicorn. With several
workers, uvicorn's supervisor forks them and stops them all on SIGTERM/SIGINT; the workers share
rate-limit counters through a private directory removed on exit.
"""

import os
import shutil
import tempfile

from runtime.errors import UsageError

APP_FACTORY = "runtime.gateway.app:create_app_from_env"
GRACEFUL_SHUTDOWN_S = 30


def check_config(config_path, environ):
    from runtime.gateway.config import GatewayConfigError, read_config_file
    from runtime.gateway.providers import registry
    from runtime.gateway.state import GatewayState

    try:
        providers = registry(environ)
        GatewayState(read_config_file(config_path, environ, providers), providers)
    except GatewayConfigError as exc:
        raise UsageError(f"Invalid value for '--config-path': {exc}") from None


def serve(config_path, host, port, workers, environ):
    import uvicorn

    config_path = os.path.abspath(config_path)
    check_config(config_path, environ)
    os.environ["MLFLOW_GATEWAY_CONFIG"] = config_path
    limits_dir = None
    if workers > 1:
        limits_dir = tempfile.mkdtemp(prefix="mlf-gateway-limits-")
        os.environ["MLF_GATEWAY_LIMITS_DIR"] = limits_dir
    try:
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers if workers > 1 else None,
                    access_log=False, server_header=False, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
                    log_level="info")
    finally:
        if limits_dir:
            shutil.rmtree(limits_dir, ignore_errors=True)
