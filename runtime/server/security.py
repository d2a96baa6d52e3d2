"""Security middleware as MLflow documents it for `mlflow server`.

- Host header check against --allowed-hosts (default: localhost and private
  addresses, any port) so DNS rebinding cannot reach the server.
- CORS: cross-origin browser requests only from --cors-allowed-origins
  (default: localhost origins); a state-changing request with a foreign
  Origin is refused before it reaches a handler.
- State-changing API requests may not use the content types a browser sends
  without a CORS preflight (text/plain, form, multipart); artifact uploads
  (raw file bodies on PUT, which always need a preflight) are exempt.
- X-Frame-Options (--x-frame-options, NONE turns it off) and
  X-Content-Type-Options: nosniff on every response.

--disable-security-middleware turns off the checks and X-Frame-Options;
nosniff is always sent.
"""

import fnmatch
import ipaddress
import re

from runtime.server.routing import STATE_CHANGING_METHODS

NOSNIFF = (b"x-content-type-options", b"nosniff")
DEFAULT_CORS_ORIGINS = (
    "http://localhost",
    "http://localhost:*",
    "http://127.0.0.1",
    "http://127.0.0.1:*",
    "http://[::1]",
    "http://[::1]:*",
)
# Content types a browser may POST cross-site without asking the server first.
SIMPLE_CONTENT_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")
EXEMPT_PATHS = ("/health",)


def split_list(text):
    """'a, b,c' -> ['a', 'b', 'c']; None stays None."""
    if text is None:
        return None
    if isinstance(text, (list, tuple)):
        return [item.strip() for item in text if item.strip()]
    return [item.strip() for item in str(text).split(",") if item.strip()]


def split_host_port(host_header):
    """'[::1]:5000' -> ('::1', '5000'); 'example.com' -> ('example.com', None)."""
    text = host_header.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return text, None
        host, rest = text[1:end], text[end + 1:]
        return host, rest[1:] if rest.startswith(":") else None
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, port
    return text, None


# The default --allowed-hosts: loopback and the private ranges (RFC 1918, IPv6 unique local).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7",
))


def is_local_or_private(host):
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in PRIVATE_NETWORKS)


def host_allowed(host_header, allowed):
    """allowed None: localhost and private addresses. Patterns: 'name', 'name:port', '*.domain', '*'."""
    if not host_header:
        return False
    host, port = split_host_port(host_header)
    if allowed is None:
        return is_local_or_private(host)
    for pattern in allowed:
        if pattern == "*":
            return True
        pattern_host, pattern_port = split_host_port(pattern)
        if not fnmatch.fnmatchcase(host, pattern_host):
            continue
        if pattern_port is None or fnmatch.fnmatchcase(port or "", pattern_port):
            return True
    return False


# What a browser sends as Origin: scheme://host[:port], nothing more. Anything else (user info,
# a port that is not a number) is refused before wildcard matching, where "localhost:*" would
# otherwise match "localhost:1@evil.com" or "localhost:80.evil.com".
_ORIGIN_RE = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$")


def origin_allowed(origin, allowed):
    patterns = DEFAULT_CORS_ORIGINS if allowed is None else allowed
    origin = origin.lower().rstrip("/")
    if "*" in patterns:
        return True
    if not _ORIGIN_RE.match(origin):
        return False
    return any(fnmatch.fnmatchcase(origin, _brackets_literal(p.lower().rstrip("/"))) for p in patterns)


def _brackets_literal(pattern):
    # "[::1]" in an origin is an IPv6 host, not an fnmatch character class.
    return pattern.replace("[", "\0").replace("]", "[]]").replace("\0", "[[]")


def same_origin(origin, host_header):
    """True when the Origin names this very server (the UI calling its own API)."""
    if not host_header or "://" not in origin:
        return False
    return origin.split("://", 1)[1].rstrip("/").lower() == host_header.strip().lower()


def is_artifact_upload(method, path):
    return method == "PUT" and "/mlflow-artifacts/artifacts/" in path


def _headers(scope):
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


class SecurityMiddleware:
    """Pure ASGI middleware: checks before the app runs, headers added to every response."""

    def __init__(self, app, config):
        self.app = app
        self.enabled = not config.disable_security_middleware
        self.allowed_hosts = split_list(config.allowed_hosts)
        self.allowed_origins = split_list(config.cors_allowed_origins)
        frame = (config.x_frame_options or "SAMEORIGIN").strip()
        self.frame_header = None if (not self.enabled or frame.upper() == "NONE") else frame.upper().encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cors_origin = None
        if self.enabled:
            headers = _headers(scope)
            refusal, cors_origin = self._check(scope, headers)
            if refusal is not None:
                return await refusal(scope, receive, self._sender(send, None))
            if scope["method"] == "OPTIONS" and "access-control-request-method" in headers and cors_origin:
                return await self._preflight(send, cors_origin, headers)
        await self.app(scope, receive, self._sender(send, cors_origin))

    def _check(self, scope, headers):
        """(refusing response or None, origin to echo in CORS headers or None)."""
        from runtime.errors import InvalidParameter, MlfError
        from runtime.server.routing import error_response

        method, path = scope["method"], scope["path"]
        host = headers.get("host", "")
        if not any(path.endswith(p) for p in EXEMPT_PATHS) and not host_allowed(host, self.allowed_hosts):
            return error_response(MlfError(
                f"Invalid Host header {host!r} - possible DNS rebinding attack detected. "
                "Start the server with --allowed-hosts to accept this host.", "PERMISSION_DENIED")), None
        origin = headers.get("origin")
        allowed_origin = None
        if origin is not None:
            if same_origin(origin, host) or origin_allowed(origin, self.allowed_origins):
                allowed_origin = origin
            elif method in STATE_CHANGING_METHODS or method == "OPTIONS":
                return error_response(MlfError(
                    f"Cross-origin request from {origin!r} blocked. "
                    "Start the server with --cors-allowed-origins to accept this origin.", "PERMISSION_DENIED")), None
        if method in STATE_CHANGING_METHODS and not is_artifact_upload(method, path):
            media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media in SIMPLE_CONTENT_TYPES:
                return error_response(InvalidParameter(
                    f"Bad Request. Content-Type {media!r} is not accepted for {method} requests; "
                    "send application/json."
                )), None
        return None, allowed_origin

    async def _preflight(self, send, origin, headers):
        from starlette.responses import Response

        response = Response(status_code=200, headers={
            "access-control-allow-origin": origin,
            "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
            "access-control-allow-headers": headers.get("access-control-request-headers", "content-type"),
            "access-control-max-age": "600",
            "vary": "Origin",
        })
        await response({"type": "http"}, None, self._sender(send, None))

    def _sender(self, send, cors_origin):
        extra = [NOSNIFF]
        if self.frame_header is not None:
            extra.append((b"x-frame-options", self.frame_header))
        if cors_origin:
            extra.append((b"access-control-allow-origin", cors_origin.encode("latin-1")))
            extra.append((b"vary", b"Origin"))

        async def wrapped(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        return wrapped


def middleware(config):
    from starlette.middleware import Middleware

    return [Middleware(SecurityMiddleware, config=config)]
