"""add workspaces trace archival location

Revision ID: da6fb0208061
Revises: 7d34483879f0
Create Date: 2026-04-03 10:50:46.501372

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "da6fb0208061"
down_revision = "7d34483879f0"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
