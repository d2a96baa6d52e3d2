"""Handler of `mlf run`: run an MLflow Project entry point."""


def run(*, uri, entry_point, version, param_list, docker_args, experiment_name, experiment_id, backend,
        backend_config, env_manager, storage_dir, run_id, run_name, build_image, ctx):
    from runtime.projects.runner import run_project

    run_project(
        uri,
        entry_point=entry_point,
        version=version,
        parameters=list(param_list or []),
        docker_args=list(docker_args or []),
        experiment_name=experiment_name,
        experiment_id=experiment_id,
        backend=backend,
        backend_config=backend_config,
        env_manager=env_manager,
        storage_dir=storage_dir,
        run_id=run_id,
        run_name=run_name,
        build_image=build_image,
        tracking_uri=ctx.tracking_uri(),
        store=ctx.tracking_store(),
    )
