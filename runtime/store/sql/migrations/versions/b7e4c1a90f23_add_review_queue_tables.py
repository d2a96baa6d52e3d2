"""add review queue tables

Revision ID: b7e4c1a90f23
Revises: 89d3d66ed43f
Create Date: 2026-06-05 10:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "b7e4c1a90f23"
down_revision = "89d3d66ed43f"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
