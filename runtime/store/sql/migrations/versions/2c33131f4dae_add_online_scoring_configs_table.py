"""add online scoring configs table

Revision ID: 2c33131f4dae
Revises: c9d4e5f6a7b8
Create Date: 2025-01-27 12:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "2c33131f4dae"
down_revision = "c9d4e5f6a7b8"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
