"""add display name to endpoint bindings

Revision ID: d3e4f5a6b7c8
Revises: 2c33131f4dae
Create Date: 2026-01-21 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "d3e4f5a6b7c8"
down_revision = "2c33131f4dae"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
