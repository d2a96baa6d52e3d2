"""add step to inputs table

Revision ID: 6953534de441
Revises: 400f98739977
Create Date: 2025-02-13 11:50:07.098121

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "6953534de441"
down_revision = "400f98739977"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
