"""Handler of `mlf gateway start`."""


def start(*, config_path, host, port, workers, ctx):
    from runtime.gateway.run import serve

    serve(config_path, host, port, workers, ctx.environ)
