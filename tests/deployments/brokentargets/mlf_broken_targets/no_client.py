"""The functions but no client class."""


def target_help():
    return "no client"


def run_local(name, model_uri, flavor=None, config=None):
    pass
