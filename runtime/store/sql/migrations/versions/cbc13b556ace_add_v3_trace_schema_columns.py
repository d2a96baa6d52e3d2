"""add v3 trace schema columns

Revision ID: cbc13b556ace
Revises: bda7b8c39065
Create Date: 2025-06-17 12:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "cbc13b556ace"
down_revision = "bda7b8c39065"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
