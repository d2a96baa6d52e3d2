"""add metrics run key step index

Revision ID: a5b4c3d2e1f0
Revises: c3d6457b6d8a
Create Date: 2026-03-10 20:46:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "a5b4c3d2e1f0"
down_revision = "c3d6457b6d8a"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
