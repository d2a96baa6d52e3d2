"""S3 artifact tests run against a real S3 API: moto in server mode on loopback (one per session)."""

import uuid

import pytest

from tests.support.moto_server import aws_env, moto_server  # noqa: F401 - pytest fixtures


@pytest.fixture
def bucket(aws_env):  # noqa: F811 - the fixture imported above
    """A new empty bucket on the moto server, with its credentials and endpoint in os.environ."""
    return aws_env.create_bucket(f"mlf-test-{uuid.uuid4().hex[:12]}")
