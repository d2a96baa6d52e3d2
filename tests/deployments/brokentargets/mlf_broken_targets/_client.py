"""A complete client that the broken plugins reuse (imported under another name, so it does not count)."""

from runtime.deployments import BaseDeploymentClient


class CompleteClient(BaseDeploymentClient):
    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        return {"name": name, "flavor": flavor}

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        return {"flavor": flavor}

    def delete_deployment(self, name, config=None, endpoint=None):
        return None

    def list_deployments(self, endpoint=None):
        return []

    def get_deployment(self, name, endpoint=None):
        return {"name": name}

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        return {"predictions": []}
