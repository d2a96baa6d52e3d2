"""add target value to budget policies

Revision ID: c3d9e7f1a2b4
Revises: c1d2e3f4a5b6
Create Date: 2026-07-09 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "c3d9e7f1a2b4"
down_revision = "c1d2e3f4a5b6"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
