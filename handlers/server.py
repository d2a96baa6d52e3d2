"""Handler of `mlf server` (alias `mlf ui`): turn the options into a ServerConfig and serve."""


def server(*, backend_store_uri, registry_store_uri, default_artifact_root, serve_artifacts, artifacts_only,
           artifacts_destination, host, port, workers, static_prefix, allowed_hosts, cors_allowed_origins,
           disable_security_middleware, x_frame_options, gunicorn_opts, waitress_opts, uvicorn_opts, dev,
           expose_prometheus, secrets_cache_ttl, secrets_cache_max_size, ctx):
    from runtime.server.config import DEFAULT_BACKEND_STORE_URI, ServerConfig
    from runtime.server.run import serve

    config = ServerConfig(
        backend_store_uri=backend_store_uri or DEFAULT_BACKEND_STORE_URI,
        registry_store_uri=registry_store_uri,
        default_artifact_root=default_artifact_root,
        serve_artifacts=serve_artifacts,
        artifacts_only=artifacts_only,
        artifacts_destination=artifacts_destination,
        host=host,
        port=port,
        workers=workers,
        static_prefix=static_prefix or "",
        allowed_hosts=allowed_hosts,
        cors_allowed_origins=cors_allowed_origins,
        disable_security_middleware=disable_security_middleware,
        x_frame_options=x_frame_options,
        expose_prometheus=expose_prometheus,
        uvicorn_opts=uvicorn_opts,
        gunicorn_opts=gunicorn_opts,
        waitress_opts=waitress_opts,
        dev=dev,
        extra={"secrets_cache_ttl": secrets_cache_ttl, "secrets_cache_max_size": secrets_cache_max_size},
    )
    serve(config)
