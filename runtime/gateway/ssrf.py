"""The SSRF guard on provider base URLs stored in the server's gateway (anyone who can write a
secret's `api_base` could otherwise make the server call internal addresses).

A URL passes when its scheme is in MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES (default https) and
every address its host resolves to is public, unless MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS
is true. Redirects are never followed by the upstream client either.
"""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from runtime.gateway.errors import GatewayError


def _truthy(value):
    return str(value or "").strip().lower() in ("1", "true", "yes")


def _public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def check_upstream_url(url, environ, resolve=None):
    parts = urlsplit(url)
    allowed = {s.strip().lower() for s in (environ.get("MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES") or "https").split(",") if s.strip()}
    if parts.scheme.lower() not in allowed:
        raise GatewayError(502, f"The provider URL scheme '{parts.scheme}' is not allowed "
                                f"(MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES={','.join(sorted(allowed))}).")
    if _truthy(environ.get("MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS")):
        return
    host = parts.hostname
    if not host:
        raise GatewayError(502, "The provider URL has no host.")
    resolve = resolve or asyncio.get_running_loop().getaddrinfo
    try:
        infos = await resolve(host, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        raise GatewayError(502, f"The provider host '{host}' does not resolve.") from None
    if not infos or not all(_public(info[4][0]) for info in infos):
        raise GatewayError(502, f"The provider host '{host}' resolves to a private or reserved address, which is "
                                "refused (set MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS=true to allow it).")
