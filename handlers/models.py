"""Handlers of `mlf models ...`: thin wrappers over runtime.models."""


def build_docker(*, model_uri, name, env_manager, mlflow_home, install_java, install_mlflow, enable_mlserver, ctx):
    from runtime.models.docker import build_docker as build

    build(name, model_uri, env_manager, mlflow_home, install_java, install_mlflow, enable_mlserver)
    return f"Built image {name}"


def generate_dockerfile(*, model_uri, output_directory, env_manager, mlflow_home, install_java, install_mlflow,
                        enable_mlserver, ctx):
    from runtime.models.docker import generate_dockerfile as generate

    path = generate(output_directory, model_uri, env_manager, mlflow_home, install_java, install_mlflow,
                    enable_mlserver)
    return f"Wrote {path}"


def predict(*, model_uri, input_path, output_path, content_type, env_manager, install_mlflow,
            pip_requirements_override, env, ctx):
    from runtime.models import launch

    launch.predict(model_uri, input_path, output_path, content_type, env_manager, install_mlflow,
                   pip_requirements_override, env, tracking_uri=ctx.tracking_uri(), stdout=ctx.stdout)


def prepare_env(*, model_uri, env_manager, install_mlflow, ctx):
    from runtime.models import launch

    environment = launch.prepare_env(model_uri, env_manager, install_mlflow, ctx.tracking_uri())
    if env_manager == "local":
        return "Nothing to prepare with --env-manager local: the model runs in this interpreter."
    return f"Environment ready: {environment.path}"


def serve(*, model_uri, port, host, timeout, workers, env_manager, no_conda, install_mlflow, enable_mlserver, ctx):
    from runtime.models import launch

    if no_conda:
        env_manager = "local"
    launch.serve(model_uri, host, port, workers, timeout, env_manager, install_mlflow, enable_mlserver,
                 ctx.tracking_uri())


def update_pip_requirements(*, model_uri, operation, requirement_strings, ctx):
    from runtime.models.requirements import update_model_requirements

    old, new = update_model_requirements(model_uri, operation, list(requirement_strings or []), ctx.tracking_uri())
    return "Done updating requirements!\n\nOld requirements:\n" + "\n".join(f"  {r}" for r in old) + \
        "\n\nUpdated requirements:\n" + "\n".join(f"  {r}" for r in new)
