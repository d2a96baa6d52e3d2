"""Build the tracking server's ASGI application from its config.

Routes come from the modules in ROUTE_MODULES; each exposes
``routes(ctx) -> list[starlette.routing.Route]`` and is included when it
imports (a module that does not exist yet is skipped; one that fails to
import for any other reason stops the server with that error). Route modules
share request parsing and error bodies through runtime.server.routing.
"""

import importlib
import logging

from runtime.server import routing
from runtime.server.config import ServerConfig
from runtime.server.context import ServerContext
from runtime.wire.protocol import schema as wire_schema

log = logging.getLogger("mlf.server")

ROUTE_MODULES = [
    "runtime.server.routes_tracking",
    "runtime.server.routes_artifacts",
    "runtime.server.routes_registry",
    "runtime.server.routes_traces",
    "runtime.server.routes_ui",
    "runtime.server.routes_datasets",
    "runtime.server.routes_issues",
    "runtime.server.routes_promptlab",
    "runtime.server.routes_graphql",
    "runtime.gateway.server_routes",  # the AI gateway: /api/3.0/mlflow/gateway/* and /gateway/*
    "runtime.ui.routes",  # the web UI: pages at /, /experiments, /runs, ... after every API path
]
# Modules still served by an --artifacts-only server.
ARTIFACT_ROUTE_MODULES = {"runtime.server.routes_artifacts"}


def load_route_modules(names=None):
    """Import every route module that exists; a missing module is skipped, a broken one raises."""
    modules = []
    for name in names or ROUTE_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.debug("route module %s is not available", name)
    return modules


def server_version():
    """The MLflow version whose REST API we serve; clients pick features by it."""
    return wire_schema()["mlflow_version"]


def _core_routes(ctx):
    from starlette.responses import PlainTextResponse, Response

    async def health(request):
        return PlainTextResponse("OK")

    async def version(request):
        return Response(server_version(), media_type="text/html; charset=utf-8")

    def server_info(body, request):
        store_type = "FileStore"
        if not ctx.config.artifacts_only:
            store_type = type(ctx.tracking_store).__name__
        return {
            "store_type": store_type,
            "workspaces_enabled": False,
            "trace_archival_enabled": False,
            "multipart_uploads_enabled": False,
            "multipart_downloads_enabled": False,
            "presigned_upload_run_id_supported": False,
            "presigned_upload_model_id_supported": False,
            "features_enabled": {"gateway": False},
        }

    from starlette.routing import Route

    return [
        Route("/health", health, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
        *routing.api_routes("/server-info", server_info, ["GET"], versions=("3.0",)),
    ]


def _disabled_in_artifacts_only(route):
    """The same route answering 503, as MLflow does for tracking routes in --artifacts-only mode."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def disabled(request):
        return PlainTextResponse(
            f"Endpoint: {request.url.path} disabled due to the mlf server running in `--artifacts-only` mode. "
            "To enable tracking operations, restart the server without `--artifacts-only`.",
            status_code=503,
        )

    return Route(route.path, disabled, methods=sorted(route.methods or ()), name=route.name)


def _with_prefix(route, prefix):
    from starlette.routing import Route

    if not prefix:
        return route
    return Route(prefix + route.path, route.endpoint, methods=sorted(route.methods or ()), name=route.name)


def collect_routes(ctx, module_names=None):
    routes = list(_core_routes(ctx))
    for module in load_route_modules(module_names):
        module_routes = module.routes(ctx)
        if ctx.config.artifacts_only and module.__name__ not in ARTIFACT_ROUTE_MODULES:
            module_routes = [_disabled_in_artifacts_only(route) for route in module_routes]
        routes.extend(module_routes)
    prefix = ctx.config.static_prefix
    return [_with_prefix(route, prefix) for route in routes]


def build_app(config=None, module_names=None):
    """The ASGI app for config (a ServerConfig); module_names overrides ROUTE_MODULES (tests)."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette

    from runtime.server import security
    from runtime.server.metrics import label_route, metrics_middleware_and_routes

    config = config or ServerConfig()
    ctx = ServerContext(config)
    routes = collect_routes(ctx, module_names)
    # Outermost first: metrics see every answer, security refusals included.
    metric_middleware, metric_routes = metrics_middleware_and_routes(config)
    if metric_middleware:
        routes = [label_route(route) for route in routes]
        routes.extend(_with_prefix(route, config.static_prefix) for route in metric_routes)
    middleware = metric_middleware + security.middleware(config)

    @asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            for entry in metric_middleware:
                entry.kwargs["metrics"].write_snapshot()
            ctx.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.ctx = ctx
    return app
