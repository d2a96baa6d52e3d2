"""add mcp server registry tables

Revision ID: a8b9c0d1e2f3
Revises: b7e4c1a90f23
Create Date: 2026-05-11

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "a8b9c0d1e2f3"
down_revision = "b7e4c1a90f23"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
