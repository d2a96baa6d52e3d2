"""A valid plugin whose every call fails, or reports an operation it does not have."""

from mlf_broken_targets import _client


class CrashingClient(_client.CompleteClient):
    def list_deployments(self, endpoint=None):
        raise ValueError("the service said no\nover two lines")

    def get_deployment(self, name, endpoint=None):
        raise NotImplementedError


def target_help():
    raise KeyError("help")


def run_local(name, model_uri, flavor=None, config=None):
    raise NotImplementedError("run-local is not available for this target")
