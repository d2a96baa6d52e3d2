"""The databricks target: Databricks model serving endpoints over the REST API.

Credentials: DATABRICKS_HOST and DATABRICKS_TOKEN, or the profile of ~/.databrickscfg named
in the URI (databricks://PROFILE; the DEFAULT profile when the environment names no host).
-C values that are JSON objects or lists are sent as JSON, others as strings.
"""

import configparser
import json
import os
from urllib.parse import quote, urlparse

from runtime.deployments.base import BaseDeploymentClient
from runtime.deployments.rest import EndpointsOnly, JsonService, endpoint_of, no_local_run, predict_timeout
from runtime.errors import MlfError

SERVING = "/api/2.0/serving-endpoints"
CLIENT_HEADER = {"X-Databricks-Endpoints-API-Client": "Databricks Deployment Client"}


def target_help():
    return """\
    Target databricks: Databricks model serving, -t databricks or -t databricks://PROFILE.

    Credentials come from DATABRICKS_HOST and DATABRICKS_TOKEN, or from the named profile of
    ~/.databrickscfg (host and token keys; DEFAULT when no profile is named and the
    environment has no host).

    Commands: create-endpoint --endpoint NAME -C config='{...}' (any top-level field of the
    serving-endpoints API; JSON values are sent as JSON), update-endpoint --endpoint NAME
    -C served_entities='[...]' (only -C rate_limits=... updates the rate limits),
    delete-endpoint, list-endpoints, get-endpoint, and predict --endpoint NAME -I input.json."""


def run_local(name, model_uri, flavor=None, config=None):
    no_local_run("databricks", "its endpoints run in a Databricks workspace")


def _profile(name):
    path = os.path.join(os.path.expanduser("~"), ".databrickscfg")
    parser = configparser.ConfigParser(default_section="__none__")
    if not parser.read(path):
        raise MlfError(f"No Databricks credentials: set DATABRICKS_HOST and DATABRICKS_TOKEN, or create {path}")
    if not parser.has_section(name):
        raise MlfError(f"Profile {name!r} is not in {path} (profiles there: {', '.join(parser.sections()) or 'none'})")
    section = parser[name]
    if not section.get("host") or not section.get("token"):
        raise MlfError(f"Profile {name!r} in {path} needs both host and token")
    return section["host"], section["token"]


def host_and_token(target_uri):
    profile = urlparse(target_uri).netloc
    if not profile and os.environ.get("DATABRICKS_HOST"):
        token = os.environ.get("DATABRICKS_TOKEN")
        if not token:
            raise MlfError("DATABRICKS_HOST is set but DATABRICKS_TOKEN is not")
        return os.environ["DATABRICKS_HOST"], token
    return _profile(profile or "DEFAULT")


def _decoded(config):
    decoded = {}
    for key, value in (config or {}).items():
        if isinstance(value, str) and value.strip()[:1] in ("{", "["):
            try:
                value = json.loads(value)
            except ValueError:
                raise MlfError(f"-C {key}=... looks like JSON but is not valid JSON") from None
        decoded[key] = value
    return decoded


class DatabricksDeploymentClient(EndpointsOnly, BaseDeploymentClient):
    accepts_json_inputs = True

    def __init__(self, target_uri):
        super().__init__(target_uri)
        host, token = host_and_token(target_uri)
        if not host.startswith(("http://", "https://")):
            host = "https://" + host
        self.service = JsonService("Databricks", host, headers={"Authorization": f"Bearer {token}", **CLIENT_HEADER})

    def _endpoint_path(self, endpoint, *rest):
        return "/".join([SERVING, quote(endpoint, safe=""), *rest])

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        name = endpoint_of(deployment_name, endpoint, "databricks")
        return self.service.call("POST", f"/serving-endpoints/{quote(name, safe='')}/invocations", body=inputs,
                                 timeout=predict_timeout())

    def create_endpoint(self, name, config=None):
        return self.service.call("POST", SERVING, body={"name": name, **_decoded(config)})

    def update_endpoint(self, endpoint, config=None):
        config = _decoded(config)
        if list(config) == ["rate_limits"]:
            return self.service.call("PUT", self._endpoint_path(endpoint, "rate-limits"), body=config)
        return self.service.call("PUT", self._endpoint_path(endpoint, "config"), body=config)

    def delete_endpoint(self, endpoint):
        return self.service.call("DELETE", self._endpoint_path(endpoint))

    def list_endpoints(self):
        return self.service.call("GET", SERVING).get("endpoints", [])

    def get_endpoint(self, endpoint):
        return self.service.call("GET", self._endpoint_path(endpoint))
