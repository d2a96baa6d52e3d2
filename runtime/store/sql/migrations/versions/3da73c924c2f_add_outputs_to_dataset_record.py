"""add outputs to dataset record

Revision ID: 3da73c924c2f
Revises: 71994744cf8e
Create Date: 2025-01-16 12:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "3da73c924c2f"
down_revision = "71994744cf8e"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
