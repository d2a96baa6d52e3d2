"""add label schemas table

Revision ID: 89d3d66ed43f
Revises: da6fb0208061
Create Date: 2026-05-26 10:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "89d3d66ed43f"
down_revision = "da6fb0208061"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
