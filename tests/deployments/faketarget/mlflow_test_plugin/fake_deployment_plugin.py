"""A fake deployment target: fixed answers, and failures on request (-C raiseError=True, or the
environment variable raiseError=True for list)."""

import os

from runtime.deployments import BaseDeploymentClient

FAKE_DEPLOYMENT = "fake_deployment_name"
FAKE_ENDPOINT = "fake_endpoint_name"


def _fail_if_asked(config):
    if config and config.get("raiseError") == "True":
        raise RuntimeError("raiseError is set to True")


class PluginDeploymentClient(BaseDeploymentClient):
    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        _fail_if_asked(config)
        return {"name": FAKE_DEPLOYMENT, "flavor": flavor}

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        return {"flavor": flavor}

    def delete_deployment(self, name, config=None, endpoint=None):
        _fail_if_asked(config)

    def list_deployments(self, endpoint=None):
        if os.environ.get("raiseError") == "True":
            raise RuntimeError("raiseError is set to True")
        return [{"name": FAKE_DEPLOYMENT}]

    def get_deployment(self, name, endpoint=None):
        return {"key1": "val1", "key2": "val2"}

    def predict(self, deployment_name=None, df=None, endpoint=None):
        return "1"

    def explain(self, deployment_name=None, df=None, endpoint=None):
        return "1"

    def create_endpoint(self, name, config=None):
        _fail_if_asked(config)
        return {"name": FAKE_ENDPOINT}

    def update_endpoint(self, endpoint, config=None):
        return None

    def delete_endpoint(self, endpoint):
        return None

    def list_endpoints(self):
        return [{"name": FAKE_ENDPOINT}]

    def get_endpoint(self, endpoint):
        return {"name": FAKE_ENDPOINT}


def run_local(name, model_uri, flavor=None, config=None):
    print(f"Deployed locally at the key {name} using the model from {model_uri}. "
          f"It's flavor is {flavor} and config is {config}")


def target_help():
    return "Target help is called"
