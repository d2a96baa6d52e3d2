"""add jobs creator

Revision ID: b7e2c1a4d9f3
Revises: 17e22815139b
Create Date: 2026-08-13 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "b7e2c1a4d9f3"
down_revision = "17e22815139b"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
