"""add evaluation datasets

Revision ID: 71994744cf8e
Revises: 534353b11cbc
Create Date: 2025-08-12 14:30:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "71994744cf8e"
down_revision = "534353b11cbc"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
