"""A target written against mlflow.deployments.BaseDeploymentClient, as mlflow's plugins are."""

from mlflow.deployments import BaseDeploymentClient
from mlflow.exceptions import MlflowException


class MlflowStyleClient(BaseDeploymentClient):
    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        return {"name": name, "flavor": flavor or "python_function"}

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        return {"flavor": flavor}

    def delete_deployment(self, name, config=None, endpoint=None):
        raise MlflowException(f"Deployment {name} is protected")

    def list_deployments(self, endpoint=None):
        return [{"name": "from-mlflow-style", "target": self.target_uri}]

    def get_deployment(self, name, endpoint=None):
        return {"name": name}

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        # mlflow's CLI hands plugins a DataFrame; mlf does the same.
        return {"rows": len(inputs), "columns": list(inputs.columns)}


def run_local(name, model_uri, flavor=None, config=None):
    print(f"local {name}")


def target_help():
    return "mlflow-style plugin"
