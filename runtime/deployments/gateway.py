"""The http and https targets: an MLflow AI gateway (`mlf gateway start`, or mlflow's).

Endpoints are listed with GET /api/2.0/endpoints/ (every page) and read with
GET /api/2.0/endpoints/{name}; predict posts the payload as it is to
/endpoints/{name}/invocations. MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD
authenticate and MLFLOW_TRACKING_INSECURE_TLS skips certificate checks, as for a tracking
server.
"""

import os
from urllib.parse import quote, urljoin

from runtime.deployments.base import BaseDeploymentClient
from runtime.deployments.rest import EndpointsOnly, JsonService, endpoint_of, no_local_run, predict_timeout

ENDPOINTS_PATH = "/api/2.0/endpoints/"


def target_help():
    return """\
    Targets http and https: an MLflow AI gateway, such as one started with `mlf gateway start`.
    The target URI is the gateway's base URL, for example -t http://localhost:5000.

    Commands: list-endpoints, get-endpoint --endpoint NAME, and
    predict --endpoint NAME -I payload.json (a chat, completions or embeddings payload,
    sent to /endpoints/NAME/invocations as it is).

    Authentication as for a tracking server: MLFLOW_TRACKING_TOKEN, or
    MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD; MLFLOW_TRACKING_INSECURE_TLS=true
    skips certificate checks. Timeouts: MLFLOW_DEPLOYMENT_PREDICT_TIMEOUT (default 120 s) and
    MLFLOW_DEPLOYMENT_CLIENT_HTTP_REQUEST_TIMEOUT (default 300 s)."""


def run_local(name, model_uri, flavor=None, config=None):
    no_local_run("http", "it calls a running AI gateway")


class GatewayDeploymentClient(EndpointsOnly, BaseDeploymentClient):
    accepts_json_inputs = True

    def __init__(self, target_uri):
        super().__init__(target_uri)
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
        insecure = os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() in ("1", "true", "yes")
        self.service = JsonService(
            "The AI gateway", target_uri,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            auth=(user, password) if user and password is not None and not token else None,
            verify=not insecure,
        )

    def _absolute(self, endpoint):
        if isinstance(endpoint, dict) and endpoint.get("endpoint_url"):
            endpoint = {**endpoint, "endpoint_url": urljoin(self.service.base_url + "/", endpoint["endpoint_url"])}
        return endpoint

    def list_endpoints(self):
        endpoints, token = [], None
        while True:
            page = self.service.call("GET", ENDPOINTS_PATH, params={"page_token": token} if token else None)
            endpoints.extend(self._absolute(e) for e in page.get("endpoints") or [])
            token = page.get("next_page_token")
            if not token:
                return endpoints

    def get_endpoint(self, endpoint):
        return self._absolute(self.service.call("GET", ENDPOINTS_PATH + quote(endpoint, safe="")))

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        name = endpoint_of(deployment_name, endpoint, "http")
        return self.service.call("POST", f"/endpoints/{quote(name, safe='')}/invocations", body=inputs,
                                 timeout=predict_timeout())
