"""Two client classes: the loader cannot tell which one is the target's."""

from mlf_broken_targets import _client


class FirstClient(_client.CompleteClient):
    pass


class SecondClient(_client.CompleteClient):
    pass


def target_help():
    return "two clients"


def run_local(name, model_uri, flavor=None, config=None):
    pass
