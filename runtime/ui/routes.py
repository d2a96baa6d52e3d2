"""The UI's routes, mounted by the tracking server next to its API (never over it).

Pages are plain GET routes that read the stores in-process; everything that changes data is done
by the browser through the JSON API. Page functions take (ui, request) and return a response; a
store error becomes an error page with the matching status instead of a 500.
"""

import functools
import logging

from runtime.errors import MlfError

log = logging.getLogger("mlf.ui")

# Top-level paths the UI owns; tests check none of them is an API path.
UI_ROOTS = ("", "experiments", "compare-experiments", "runs", "compare", "models", "traces", "ui-static", "ui-data")


class UiContext:
    """The server context plus the UI's view of the stores."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.config = ctx.config

    @property
    def store(self):
        return self.ctx.tracking_store

    @property
    def registry(self):
        tracking = self.ctx.tracking_store

        def open_store():
            from runtime.store.factory import get_model_registry_store

            return get_model_registry_store(self.ctx.registry_store_uri, tracking_store=tracking)

        # The same key as the registry API routes, so both share one store.
        return self.ctx.shared("registry_store", open_store)

    def artifact_repository(self, uri):
        from runtime.server.artifact_access import ArtifactAccess

        return ArtifactAccess(self.config).repository_for(uri)


def status_of(error):
    code = getattr(error, "error_code", "")
    return {"RESOURCE_DOES_NOT_EXIST": 404, "PERMISSION_DENIED": 403}.get(code, 400)


def page_endpoint(ui, function):
    """An endpoint running function in the thread pool (stores block) that turns store errors into error pages."""
    from starlette.concurrency import run_in_threadpool

    from runtime.ui.render import render

    def respond(request):
        try:
            return function(ui, request)
        except MlfError as error:
            status = status_of(error)
            title = "Not found" if status == 404 else "Cannot show this page"
            return render(ui.ctx, request, "error.html", status_code=status, title=title, message=str(error))

    @functools.wraps(function)
    async def endpoint(request):
        return await run_in_threadpool(respond, request)

    return endpoint


def routes(ctx):
    from starlette.routing import Route

    from runtime.ui import assets, pages_compare, pages_experiments, pages_models, pages_run, pages_runs, pages_traces

    ui = UiContext(ctx)

    def page(path, function):
        return Route(path, page_endpoint(ui, function), methods=["GET", "HEAD"])

    table = [
        page("/", pages_experiments.home),
        page("/experiments", pages_experiments.experiments),
        page("/compare-experiments", pages_experiments.compare_experiments),
        Route("/ui-static/{digest}/{name:path}", assets.serve, methods=["GET", "HEAD"]),
        *pages_runs.routes(page),
        *pages_run.routes(page),
        *pages_compare.routes(page),
        *pages_models.routes(page),
        *pages_traces.routes(page),
    ]
    return table

