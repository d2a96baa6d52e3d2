"""Fake REST services for the deployment targets: a starlette app served by uvicorn on loopback.

Each request is recorded (method, path, query, headers, JSON body) and answered by a function
the test gives, so tests assert both what mlf printed and what it sent.
"""

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field

from tests.support.processes import free_port


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: object = field(default=None)


@contextlib.contextmanager
def fake_service(respond):
    """Serve respond(request: Recorded) -> (status, json body); yields (base_url, list of Recorded)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    seen = []

    async def endpoint(request):
        raw = await request.body()
        recorded = Recorded(request.method, request.url.path, dict(request.query_params),
                            {k.lower(): v for k, v in request.headers.items()}, json.loads(raw) if raw else None)
        seen.append(recorded)
        status, body = respond(recorded)
        return Response(json.dumps(body), status_code=status, media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("fake service did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.should_exit = True
        thread.join(10)
