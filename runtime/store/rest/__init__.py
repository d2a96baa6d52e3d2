"""The REST stores: any MLflow-compatible tracking server."""
