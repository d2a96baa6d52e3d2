"""Entry point uvicorn/gunicorn workers import: the app for the config the parent put in the environment.

Worker processes (--workers, --dev reload, gunicorn) cannot receive Python
objects, so `mlf server` serialises its ServerConfig into CONFIG_ENV and the
workers call create_app() (uvicorn --factory / gunicorn "module:create_app()").
"""

import json
import os

CONFIG_ENV = "_MLF_SERVER_CONFIG"
APP_FACTORY = "runtime.server.asgi:create_app"


def config_to_env(config):
    from dataclasses import asdict

    return json.dumps(asdict(config))


def create_app():
    from runtime.server.app import build_app
    from runtime.server.config import ServerConfig

    raw = os.environ.get(CONFIG_ENV)
    config = ServerConfig(**json.loads(raw)) if raw else ServerConfig()
    return build_app(config)
