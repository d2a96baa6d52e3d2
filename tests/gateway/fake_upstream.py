"""A fake LLM provider on loopback: a small ASGI app that records every request it gets and
answers with what the test queued (a JSON body, or stream lines in the provider's format)."""

import json
import threading
import time
from dataclasses import dataclass

import uvicorn

from tests.support.processes import free_port


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict
    body: object


class FakeUpstream:
    def __init__(self):
        self.requests = []
        self.replies = []
        self.default = None
        self.delay = 0.0
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def reply(self, body, status=200):
        self.replies.append(("json", status, body))

    def reply_stream(self, lines, media_type="text/event-stream"):
        self.replies.append(("stream", 200, (lines, media_type)))

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        self.requests.append(Seen(scope["method"], scope["path"], scope["query_string"].decode(), headers, body))
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        kind, status, content = self.replies.pop(0) if self.replies else self.default
        if kind == "json":
            payload = json.dumps(content).encode()
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": payload})
            return
        lines, media_type = content
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", media_type.encode())]})
        for line in lines:
            await send({"type": "http.response.body", "body": line.encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    def start(self):
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="error", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake upstream did not start")
            time.sleep(0.01)
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


def sse(*events, done=True):
    lines = [f"data: {json.dumps(e)}\n\n" for e in events]
    return lines + (["data: [DONE]\n\n"] if done else [])


def sse_events(response):
    """The JSON events of a gateway's SSE answer, which must end with `data: [DONE]`."""
    lines = [line for line in response.text.split("\n\n") if line]
    assert lines[-1] == "data: [DONE]"
    return [json.loads(line[len("data: "):]) for line in lines[:-1]]
