"""The MLflow-compatible tracking server (`mlf server`): ASGI app, routes, security, metrics."""
