"""The openai target: OpenAI's REST API, or Azure OpenAI (no SDK needed).

OPENAI_API_KEY is required. OPENAI_API_BASE (or OPENAI_BASE_URL) changes the base URL
(default https://api.openai.com/v1). OPENAI_API_TYPE is openai (default), azure (key in the
api-key header) or azure_ad/azuread (key as a bearer token); Azure also needs OPENAI_API_BASE
and OPENAI_API_VERSION, and OPENAI_DEPLOYMENT_NAME names the deployment when --endpoint
does not.
"""

import os
from urllib.parse import quote

from runtime.deployments.base import BaseDeploymentClient
from runtime.deployments.rest import EndpointsOnly, JsonService, endpoint_of, no_local_run, predict_timeout
from runtime.errors import InvalidParameter, MlfError

DEFAULT_BASE = "https://api.openai.com/v1"
API_TYPES = ("openai", "azure", "azure_ad", "azuread")


def target_help():
    return """\
    Target openai: OpenAI's API (or Azure OpenAI), -t openai.

    Commands: list-endpoints and get-endpoint --endpoint MODEL (the models of the account),
    predict --endpoint MODEL -I chat.json, where chat.json is a chat payload such as
    {"messages": [{"role": "user", "content": "Hello"}], "temperature": 0.2}.

    Environment: OPENAI_API_KEY (required); OPENAI_API_BASE or OPENAI_BASE_URL (default
    https://api.openai.com/v1); OPENAI_API_TYPE openai, azure, azure_ad or azuread; for Azure,
    OPENAI_API_VERSION and optionally OPENAI_DEPLOYMENT_NAME."""


def run_local(name, model_uri, flavor=None, config=None):
    no_local_run("openai", "its models run at OpenAI")


class OpenAIDeploymentClient(EndpointsOnly, BaseDeploymentClient):
    accepts_json_inputs = True

    def __init__(self, target_uri):
        super().__init__(target_uri)
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            raise MlfError("OPENAI_API_KEY environment variable not set: the openai target needs an API key")
        self.api_type = (os.environ.get("OPENAI_API_TYPE") or "openai").lower()
        if self.api_type not in API_TYPES:
            raise InvalidParameter(f"OPENAI_API_TYPE must be one of {', '.join(API_TYPES)}, got {self.api_type!r}")
        base = os.environ.get("OPENAI_API_BASE") or os.environ.get("OPENAI_BASE_URL")
        if self.is_azure:
            if not base:
                raise MlfError(f"OPENAI_API_BASE must name the Azure OpenAI resource when OPENAI_API_TYPE={self.api_type}")
            self.api_version = os.environ.get("OPENAI_API_VERSION")
            if not self.api_version:
                raise MlfError(f"OPENAI_API_VERSION must be set when OPENAI_API_TYPE={self.api_type}")
        header = {"api-key": key} if self.api_type == "azure" else {"Authorization": f"Bearer {key}"}
        self.service = JsonService("OpenAI", base or DEFAULT_BASE, headers=header)

    @property
    def is_azure(self):
        return self.api_type != "openai"

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        model = endpoint_of(deployment_name, endpoint, "openai")
        if not isinstance(inputs, dict) or not isinstance(inputs.get("messages"), list):
            raise InvalidParameter('openai predict takes a chat payload: a JSON object with a "messages" list')
        if self.is_azure:
            deployment = os.environ.get("OPENAI_DEPLOYMENT_NAME") or model
            return self.service.call("POST", f"/openai/deployments/{quote(deployment, safe='')}/chat/completions",
                                     body=inputs, params={"api-version": self.api_version},
                                     timeout=predict_timeout())
        return self.service.call("POST", "/chat/completions", body={**inputs, "model": model},
                                 timeout=predict_timeout())

    def _no_models_on_azure(self):
        if self.is_azure:
            raise NotImplementedError("Azure OpenAI has no model listing; use the Azure portal")

    def list_endpoints(self):
        self._no_models_on_azure()
        return self.service.call("GET", "/models").get("data", [])

    def get_endpoint(self, endpoint):
        self._no_models_on_azure()
        return self.service.call("GET", f"/models/{quote(endpoint, safe='')}")
