"""add workspace columns and catalog

Revision ID: 1b5f0d9ad7c1
Revises: c8d9e0f1a2b3
Create Date: 2026-01-16 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "1b5f0d9ad7c1"
down_revision = "c8d9e0f1a2b3"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
