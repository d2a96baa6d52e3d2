"""Handler of `mlf mcp run`."""


def run(*, ctx):
    from runtime.mcp_server import run_stdio

    run_stdio(ctx.environ)
