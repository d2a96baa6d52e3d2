"""add experiment fk cascades

Revision ID: 6f8d9c3b2a1e
Revises: c3d9e7f1a2b4
Create Date: 2026-07-09 21:16:54.445000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "6f8d9c3b2a1e"
down_revision = "c3d9e7f1a2b4"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
