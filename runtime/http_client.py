"""HTTP to an MLflow-compatible server: credentials from MLflow's env vars, retries, error mapping.

Connection settings come from the environment as MLflow's client reads them:
MLFLOW_TRACKING_TOKEN (bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (basic),
MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_HTTP_REQUEST_TIMEOUT,
MLFLOW_HTTP_REQUEST_MAX_RETRIES and MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR.
Requests are retried with exponential backoff on 429, 5xx and connection
errors; error bodies ({"error_code", "message"}) come back as runtime.errors
types so callers cannot tell a remote store from a local one. The REST stores
and the HTTP artifact repository both talk through this module.
"""

import os
from dataclasses import dataclass
from typing import Optional

from runtime.errors import AlreadyExists, InvalidParameter, InvalidState, MlfError, NotFound

DEFAULT_TIMEOUT_S = 120
DEFAULT_MAX_RETRIES = 7
DEFAULT_BACKOFF_FACTOR = 2
RETRY_STATUSES = (429, 500, 502, 503, 504)
_ERRORS_BY_CODE = {
    "RESOURCE_DOES_NOT_EXIST": NotFound,
    "RESOURCE_ALREADY_EXISTS": AlreadyExists,
    "INVALID_STATE": InvalidState,
    "INVALID_PARAMETER_VALUE": InvalidParameter,
    "BAD_REQUEST": InvalidParameter,
    "MALFORMED_REQUEST": InvalidParameter,
}
_TRUE = ("1", "true", "yes", "on")


def _env_number(environ, name, default, kind=int):
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return kind(raw)
    except ValueError:
        raise InvalidParameter(f"{name} must be a number, got {raw!r}") from None


@dataclass
class HostCreds:
    """Where a tracking server is and how to talk to it."""

    host: str
    token: Optional[str] = None
    username: Optional[str] = None
    password: Optional[str] = None
    insecure: bool = False
    timeout: float = DEFAULT_TIMEOUT_S
    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR

    @classmethod
    def from_env(cls, host, environ=None):
        environ = os.environ if environ is None else environ
        return cls(
            host=host.rstrip("/"),
            token=environ.get("MLFLOW_TRACKING_TOKEN") or None,
            username=environ.get("MLFLOW_TRACKING_USERNAME") or None,
            password=environ.get("MLFLOW_TRACKING_PASSWORD") or None,
            insecure=str(environ.get("MLFLOW_TRACKING_INSECURE_TLS", "")).lower() in _TRUE,
            timeout=_env_number(environ, "MLFLOW_HTTP_REQUEST_TIMEOUT", DEFAULT_TIMEOUT_S, float),
            max_retries=_env_number(environ, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", DEFAULT_MAX_RETRIES),
            backoff_factor=_env_number(environ, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", DEFAULT_BACKOFF_FACTOR, float),
        )


def error_from_response(response, url):
    """The runtime.errors exception for a failed HTTP response."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error_code" in body:
        code = body["error_code"]
        message = body.get("message", "")
        if "must be in the 'active' state" in message:
            return InvalidState(message)  # mlflow sends INVALID_PARAMETER_VALUE; local stores raise InvalidState
        cls = _ERRORS_BY_CODE.get(code)
        return cls(message) if cls is not None else MlfError(message, code)
    text = (response.text or "").strip().replace("\n", " ")[:300]
    code = "ENDPOINT_NOT_FOUND" if response.status_code == 404 else None
    return MlfError(f"API request to {url} failed with status {response.status_code}: {text}", code)


class HttpClient:
    """A requests session with MLflow's auth, TLS, timeout and retry settings."""

    def __init__(self, creds):
        self.creds = creds
        self._session = None

    @property
    def session(self):
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            retry = Retry(
                total=self.creds.max_retries,
                # A refused or unreachable server will not come back within a backoff: say so at once.
                # Retries are for 429/5xx and connections reset mid-request (read errors).
                connect=0,
                read=self.creds.max_retries,
                status=self.creds.max_retries,
                backoff_factor=self.creds.backoff_factor,
                status_forcelist=RETRY_STATUSES,
                allowed_methods=None,  # MLflow retries POSTs too: its API calls are safe to repeat
                respect_retry_after_header=True,
                raise_on_status=False,
            )
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.verify = not self.creds.insecure
            if self.creds.token:
                session.headers["Authorization"] = f"Bearer {self.creds.token}"
            elif self.creds.username and self.creds.password is not None:
                session.auth = (self.creds.username, self.creds.password)
            session.headers["User-Agent"] = "mlf"
            self._session = session
        return self._session

    def request(self, method, url, **kwargs):
        """Send one request (with retries); raises MlfError types on failure, returns the response."""
        import requests

        kwargs.setdefault("timeout", self.creds.timeout)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.exceptions.RetryError as exc:
            raise MlfError(f"API request to {url} failed after {self.creds.max_retries} retries: {exc}",
                           "TEMPORARILY_UNAVAILABLE") from None
        except requests.exceptions.SSLError as exc:
            raise MlfError(f"TLS error talking to {url}: {exc} (MLFLOW_TRACKING_INSECURE_TLS=true skips "
                           "certificate checks)") from None
        except requests.exceptions.ConnectionError as exc:
            raise MlfError(f"API request to {url} failed: {_connection_problem(exc)}", "TEMPORARILY_UNAVAILABLE") from None
        except requests.exceptions.RequestException as exc:
            raise MlfError(f"API request to {url} failed: {exc}", "TEMPORARILY_UNAVAILABLE") from None
        if response.status_code >= 400:
            raise error_from_response(response, url)
        return response

    def call_json(self, method, url, body=None):
        """A JSON API call: GET sends body as the query string, others as a JSON body."""
        from runtime.wire.protocol import dumps

        if method == "GET":
            response = self.request("GET", url, params=_query_params(body or {}))
        else:
            response = self.request(method, url, data=dumps(body or {}),
                                    headers={"Content-Type": "application/json"})
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise MlfError(f"API request to {url} returned a body that is not JSON: {response.text[:200]}") from None

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None


def _connection_problem(exc):
    """One line for a failed connection: urllib3 nests the OS error two or three exceptions deep."""
    cause = exc.args[0] if exc.args else exc
    cause = getattr(cause, "reason", cause)
    if isinstance(cause, ConnectionRefusedError) or "Connection refused" in str(cause):
        return "connection refused (is the tracking server running at that address?)"
    text = str(cause)
    if "Failed to resolve" in text or "Name or service not known" in text:
        return "the host name could not be resolved"
    return text.split(": ", 1)[-1].strip() or type(cause).__name__


def _query_params(body):
    """Query parameters as MLflow's GET handlers read them: repeated keys, bools as true/false."""
    params = []
    for key, value in body.items():
        if value is None:
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            params.append((key, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return params
