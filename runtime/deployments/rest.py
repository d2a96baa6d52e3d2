"""A small JSON-over-HTTP client for mlf's REST targets (gateway, openai, databricks).

Composition rather than a client base class: a target module must hold exactly one client
class, so shared behaviour cannot live in a common BaseDeploymentClient subclass.
"""

import os

from runtime.errors import InvalidParameter, MlfError

RETRY_STATUSES = (429, 500, 502, 503)
CLIENT_TIMEOUT_ENV, CLIENT_TIMEOUT_DEFAULT = "MLFLOW_DEPLOYMENT_CLIENT_HTTP_REQUEST_TIMEOUT", 300
PREDICT_TIMEOUT_ENV, PREDICT_TIMEOUT_DEFAULT = "MLFLOW_DEPLOYMENT_PREDICT_TIMEOUT", 120


def env_number(name, default, environ=None):
    raw = (os.environ if environ is None else environ).get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise InvalidParameter(f"{name} must be a number of seconds, got {raw!r}") from None


def client_timeout():
    return env_number(CLIENT_TIMEOUT_ENV, CLIENT_TIMEOUT_DEFAULT)


def predict_timeout():
    return env_number(PREDICT_TIMEOUT_ENV, PREDICT_TIMEOUT_DEFAULT)


def _error_text(response):
    """The message a service put in its error body (MLflow, FastAPI, OpenAI and Databricks shapes)."""
    try:
        body = response.json()
    except ValueError:
        return " ".join((response.text or "").split())[:300] or response.reason
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("message", "detail", "error"):
            if body.get(key):
                return str(body[key]) if not isinstance(body[key], (dict, list)) else str(body[key])
    return str(body)[:300]


class JsonService:
    """Requests to one service: base URL, headers, auth, retries; JSON in, JSON out, one-line errors."""

    def __init__(self, name, base_url, headers=None, auth=None, verify=True, max_retries=None, backoff=None):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.auth = auth
        self.verify = verify
        self.max_retries = int(env_number("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 7) if max_retries is None
                               else max_retries)
        self.backoff = env_number("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 2) if backoff is None else backoff
        self._session = None

    def _session_(self):
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            session = requests.Session()
            retry = Retry(total=self.max_retries, backoff_factor=self.backoff, status_forcelist=RETRY_STATUSES,
                          allowed_methods=None, raise_on_status=False, respect_retry_after_header=True)
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
            session.headers.update({"User-Agent": "mlf", **self.headers})
            session.auth = self.auth
            session.verify = self.verify
            self._session = session
        return self._session

    def url(self, path):
        return self.base_url + "/" + path.lstrip("/")

    def call(self, method, path, body=None, params=None, timeout=None):
        import requests

        url = self.url(path)
        try:
            response = self._session_().request(method, url, json=body, params=params,
                                                timeout=timeout or client_timeout())
        except requests.exceptions.Timeout:
            raise MlfError(f"{self.name} did not answer {method} {url} within {timeout or client_timeout():g} s "
                           f"(raise {PREDICT_TIMEOUT_ENV} or {CLIENT_TIMEOUT_ENV})") from None
        except requests.exceptions.RequestException as exc:
            reason = getattr(exc, "args", [exc])[0]
            raise MlfError(f"Cannot reach {self.name} at {url}: {reason}", "TEMPORARILY_UNAVAILABLE") from None
        if response.status_code >= 400:
            code = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "RESOURCE_DOES_NOT_EXIST"}.get(
                response.status_code, "INVALID_PARAMETER_VALUE" if response.status_code < 500 else "INTERNAL_ERROR")
            raise MlfError(f"{self.name} answered {response.status_code} to {method} {url}: {_error_text(response)}",
                           code)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise MlfError(f"{self.name} answered {method} {url} with a body that is not JSON: "
                           f"{response.text[:200]!r}") from None


class EndpointsOnly:
    """Deployment methods of targets that only know endpoints (a mixin, not a client class)."""

    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        raise NotImplementedError("it has endpoints, not deployments")

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        raise NotImplementedError("it has endpoints, not deployments")

    def delete_deployment(self, name, config=None, endpoint=None):
        raise NotImplementedError("it has endpoints, not deployments")

    def list_deployments(self, endpoint=None):
        raise NotImplementedError("it has endpoints, not deployments; use list-endpoints")

    def get_deployment(self, name, endpoint=None):
        raise NotImplementedError("it has endpoints, not deployments; use get-endpoint")


def endpoint_of(deployment_name, endpoint, target):
    """REST targets score endpoints; --name is taken as the endpoint name for mlflow compatibility."""
    name = endpoint or deployment_name
    if not name:
        raise InvalidParameter(f"The {target} target scores an endpoint: give --endpoint")
    return name


def no_local_run(target, why):
    raise MlfError(f"The {target} target cannot run models locally: {why}. Serve a model on this machine "
                   "with `mlf models serve -m <model-uri>`.")
