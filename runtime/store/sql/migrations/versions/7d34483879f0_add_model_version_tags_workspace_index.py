"""add model version tags workspace index

Revision ID: 7d34483879f0
Revises: ae8bbe7743c9
Create Date: 2026-04-08 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "7d34483879f0"
down_revision = "ae8bbe7743c9"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
