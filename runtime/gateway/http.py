"""The gateway's one upstream HTTP client per process: a pooled aiohttp session behind the
small interface providers use (`request`, `stream`, responses with `status_code`, `text`,
`json()`, `aiter_line_batches()`).

aiohttp rather than httpx: measured on loopback, one pooled request costs about a third of
httpx's (its HTTP parser is in C), and the gateway's whole job is relaying requests.
Stream lines are split here, without aiohttp's line-length limit, so large SSE frames pass.
"""

import asyncio
import contextlib
import json

DEFAULT_TIMEOUT_SECONDS = 300


class UpstreamError(Exception):
    """The provider could not be reached or did not answer in time; `status` is what we answer."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class UpstreamResponse:
    def __init__(self, raw, body=None):
        self._raw = raw
        self.status_code = raw.status
        self.headers = raw.headers
        self._body = body

    @property
    def text(self):
        return (self._body or b"").decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self._body)

    async def aread(self):
        if self._body is None:
            self._body = await self._raw.read()
        return self._body

    async def aiter_line_batches(self):
        """Lists of the complete lines each network read brought (so they can be relayed in one write)."""
        pending = b""
        async for piece in self._raw.content.iter_any():
            pending += piece
            *lines, pending = pending.split(b"\n")
            if lines:
                yield [line.rstrip(b"\r").decode("utf-8", errors="replace") for line in lines]
        if pending:
            yield [pending.decode("utf-8", errors="replace")]


def _translate(exc):
    import aiohttp

    if isinstance(exc, asyncio.TimeoutError):
        return UpstreamError(504, "The provider did not answer in time (MLFLOW_GATEWAY_ROUTE_TIMEOUT_SECONDS).")
    if isinstance(exc, aiohttp.ClientError):
        return UpstreamError(502, f"Could not reach the provider: {type(exc).__name__}.")
    return None


class UpstreamClient:
    def __init__(self, timeout_seconds=DEFAULT_TIMEOUT_SECONDS, max_connections=200):
        import aiohttp

        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            connector=aiohttp.TCPConnector(limit=max_connections, ttl_dns_cache=300),
            json_serialize=lambda value: json.dumps(value, separators=(",", ":")),
            auto_decompress=True,
        )

    async def request(self, method, url, headers=None, json=None, params=None):
        try:
            async with self.session.request(method, url, headers=headers, json=json, params=params) as raw:
                return UpstreamResponse(raw, await raw.read())
        except Exception as exc:
            translated = _translate(exc)
            if translated is None:
                raise
            raise translated from None

    @contextlib.asynccontextmanager
    async def stream(self, method, url, headers=None, json=None, params=None):
        try:
            async with self.session.request(method, url, headers=headers, json=json, params=params) as raw:
                yield UpstreamResponse(raw)
        except Exception as exc:
            translated = _translate(exc)
            if translated is None:
                raise
            raise translated from None

    async def aclose(self):
        await self.session.close()

    def close(self):
        """Drop every pooled connection now, from synchronous shutdown code (the server's ctx.close).

        The session's close coroutine closes the transports in its first step; it is driven
        here by hand because the caller cannot await (what is left after that step, waiting
        for TLS shutdowns, is dropped).
        """
        if self.session.closed:
            return
        closing = self.session.close()
        try:
            closing.send(None)
        except StopIteration:
            return
        closing.close()
