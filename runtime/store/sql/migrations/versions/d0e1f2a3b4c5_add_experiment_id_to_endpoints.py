"""add experiment id to endpoints

Revision ID: d0e1f2a3b4c5
Revises: d3e4f5a6b7c8
Create Date: 2025-01-13 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "d0e1f2a3b4c5"
down_revision = "d3e4f5a6b7c8"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
