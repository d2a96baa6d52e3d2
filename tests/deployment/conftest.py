"""Deployment tests: real PostgreSQL, moto's S3 on loopback, several `mlf server` processes."""

from tests.support.moto_server import aws_env, moto_server  # noqa: F401 - pytest fixtures
