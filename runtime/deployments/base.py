"""mlf's deployment-client base class: plugins subclass it without importing mlflow.

The methods and their parameters are mlflow's, so one plugin source can target both. The
deployment methods are abstract; explain, predict_stream and the endpoint methods are
optional and say so when a target does not implement them.
"""

import abc


class BaseDeploymentClient(abc.ABC):
    """One deployment target, addressed by the full target URI (`name` or `name:/suffix`)."""

    def __init__(self, target_uri):
        self.target_uri = target_uri

    @abc.abstractmethod
    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        """Deploy a model; return a dict with at least `name` and `flavor`."""

    @abc.abstractmethod
    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        """Change a deployment; return a dict with at least `flavor`."""

    @abc.abstractmethod
    def delete_deployment(self, name, config=None, endpoint=None):
        """Delete a deployment; deleting one that does not exist is not an error."""

    @abc.abstractmethod
    def list_deployments(self, endpoint=None):
        """A list of deployments, each a dict with at least `name`."""

    @abc.abstractmethod
    def get_deployment(self, name, endpoint=None):
        """A dict describing one deployment."""

    @abc.abstractmethod
    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        """Score inputs with a deployment or an endpoint."""

    def predict_stream(self, deployment_name=None, inputs=None, endpoint=None):
        raise NotImplementedError("streaming predictions are not supported by this target")

    def explain(self, deployment_name=None, df=None, endpoint=None):
        raise NotImplementedError("explanations are not supported by this target")

    def create_endpoint(self, name, config=None):
        raise NotImplementedError("endpoints are not supported by this target")

    def update_endpoint(self, endpoint, config=None):
        raise NotImplementedError("endpoints are not supported by this target")

    def delete_endpoint(self, endpoint):
        raise NotImplementedError("endpoints are not supported by this target")

    def list_endpoints(self):
        raise NotImplementedError("endpoints are not supported by this target")

    def get_endpoint(self, endpoint):
        raise NotImplementedError("endpoints are not supported by this target")
