"""Handlers of `mlf deployments ...`: thin wrappers over runtime.deployments.commands."""


def create(*, endpoint, config, name, target, model_uri, flavor, ctx):
    from runtime.deployments import commands

    return commands.create(target, name, model_uri, flavor, config, endpoint)


def update(*, endpoint, config, name, target, model_uri, flavor, ctx):
    from runtime.deployments import commands

    return commands.update(target, name, model_uri, flavor, config, endpoint)


def delete(*, endpoint, config, name, target, ctx):
    from runtime.deployments import commands

    return commands.delete(target, name, config, endpoint)


def list_(*, endpoint, target, ctx):
    from runtime.deployments import commands

    return commands.list_(target, endpoint)


def get(*, endpoint, name, target, ctx):
    from runtime.deployments import commands

    return commands.get(target, name, endpoint)


def help_(*, target, ctx):
    from runtime.deployments import commands

    return commands.target_help(target)


def run_local(*, config, name, target, model_uri, flavor, ctx):
    from runtime.deployments import commands

    return commands.run_local(target, name, model_uri, flavor, config)


def predict(*, name, endpoint, target, input_path, output_path, ctx):
    from runtime.deployments import commands

    return commands.predict(target, input_path, name, endpoint, output_path)


def explain(*, name, endpoint, target, input_path, output_path, ctx):
    from runtime.deployments import commands

    return commands.explain(target, input_path, name, endpoint, output_path)


def create_endpoint(*, config, endpoint, target, ctx):
    from runtime.deployments import commands

    return commands.create_endpoint(target, endpoint, config)


def update_endpoint(*, config, endpoint, target, ctx):
    from runtime.deployments import commands

    return commands.update_endpoint(target, endpoint, config)


def delete_endpoint(*, endpoint, target, ctx):
    from runtime.deployments import commands

    return commands.delete_endpoint(target, endpoint)


def list_endpoints(*, target, ctx):
    from runtime.deployments import commands

    return commands.list_endpoints(target)


def get_endpoint(*, endpoint, target, ctx):
    from runtime.deployments import commands

    return commands.get_endpoint(target, endpoint)
