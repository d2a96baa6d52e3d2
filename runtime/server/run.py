"""Start the tracking server: uvicorn by default, gunicorn with uvicorn workers on request.

The parent process prepares everything once (backend schema migrations,
Prometheus folder), then hands over to the HTTP server. uvicorn stops
gracefully on SIGTERM and SIGINT: it stops accepting connections, finishes
requests in progress (up to GRACEFUL_SHUTDOWN_S), runs the app's shutdown
(stores closed, metrics written) and exits 0.
"""

import os
import shlex
import sys

from runtime.errors import MlfError, UsageError
from runtime.server.asgi import APP_FACTORY, CONFIG_ENV, config_to_env

GRACEFUL_SHUTDOWN_S = 30
RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def check_options(config):
    if config.dev and (config.gunicorn_opts or config.uvicorn_opts):
        raise UsageError("--dev cannot be used with --gunicorn-opts or --uvicorn-opts.")
    if config.gunicorn_opts and config.uvicorn_opts:
        raise UsageError("--gunicorn-opts and --uvicorn-opts cannot be used together: pick one HTTP server.")
    if config.waitress_opts:
        raise UsageError(
            "--waitress-opts is not supported: waitress serves WSGI apps and mlf's server is an ASGI app. "
            "Use --uvicorn-opts (or --gunicorn-opts) instead."
        )
    if config.workers is not None and config.workers < 1:
        raise UsageError("--workers must be at least 1.")


def initialize_backend(config):
    """Open the backend store once in the parent, so schema migrations run before any worker starts."""
    if config.artifacts_only:
        return
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(config.backend_store_uri, config.resolved_default_artifact_root)
    try:
        store.get_experiment("0")  # creates the Default experiment in a fresh store
    finally:
        store.close()


def prepare_metrics_dir(config):
    if not config.expose_prometheus:
        return
    from runtime.server.metrics import clear_snapshots

    os.makedirs(config.expose_prometheus, exist_ok=True)
    clear_snapshots(config.expose_prometheus)


def split_opts(text, option):
    try:
        return shlex.split(text or "")
    except ValueError as exc:
        raise UsageError(f"Invalid {option} value {text!r}: {exc}") from None


def uvicorn_argv(config):
    argv = [
        APP_FACTORY, "--factory",
        "--host", config.host,
        "--port", str(config.port),
        "--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN_S),
        "--no-server-header",
    ]
    if config.workers and config.workers > 1:
        argv += ["--workers", str(config.workers)]
    if config.dev:
        argv += ["--reload", "--reload-dir", RUNTIME_DIR, "--log-level", "debug"]
    return argv + split_opts(config.uvicorn_opts, "--uvicorn-opts")


def uvicorn_worker_class():
    """gunicorn's uvicorn worker: the uvicorn-worker package when installed, else uvicorn's own (deprecated)."""
    import importlib.util

    if importlib.util.find_spec("uvicorn_worker") is not None:
        return "uvicorn_worker.UvicornWorker"
    return "uvicorn.workers.UvicornWorker"


def gunicorn_argv(config):
    return [
        "gunicorn",
        "--bind", f"{config.host}:{config.port}",
        "--workers", str(config.workers or 1),
        "--worker-class", uvicorn_worker_class(),
        "--graceful-timeout", str(GRACEFUL_SHUTDOWN_S),
        *split_opts(config.gunicorn_opts, "--gunicorn-opts"),
        f"{APP_FACTORY}()",
    ]


def run_uvicorn(config):
    import click
    from uvicorn.main import main as uvicorn_main

    try:
        uvicorn_main.main(args=uvicorn_argv(config), prog_name="uvicorn", standalone_mode=False)
    except click.UsageError as exc:
        raise UsageError(f"Invalid --uvicorn-opts: {exc.format_message()}") from None
    except click.exceptions.Abort:
        pass


def run_gunicorn(config):
    try:
        from gunicorn.app.wsgiapp import WSGIApplication
    except ImportError:
        raise MlfError(
            "--gunicorn-opts needs gunicorn, which is not installed: `pip install gunicorn`, "
            "or drop --gunicorn-opts to serve with uvicorn."
        ) from None
    saved = sys.argv
    sys.argv = gunicorn_argv(config)
    try:
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    finally:
        sys.argv = saved


def serve(config):
    """Run the server in the foreground until it is stopped."""
    check_options(config)
    prepare_metrics_dir(config)
    initialize_backend(config)
    os.environ[CONFIG_ENV] = config_to_env(config)
    if config.gunicorn_opts:
        run_gunicorn(config)
    else:
        run_uvicorn(config)
