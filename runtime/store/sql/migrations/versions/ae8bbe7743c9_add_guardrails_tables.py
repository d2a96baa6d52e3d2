"""add guardrails tables

Revision ID: ae8bbe7743c9
Revises: a5b4c3d2e1f0
Create Date: 2026-03-24 00:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "ae8bbe7743c9"
down_revision = "a5b4c3d2e1f0"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
