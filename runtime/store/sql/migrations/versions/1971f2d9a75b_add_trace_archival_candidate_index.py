"""add trace archival candidate index

Revision ID: 1971f2d9a75b
Revises: 6f8d9c3b2a1e
Create Date: 2026-08-09 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "1971f2d9a75b"
down_revision = "6f8d9c3b2a1e"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
