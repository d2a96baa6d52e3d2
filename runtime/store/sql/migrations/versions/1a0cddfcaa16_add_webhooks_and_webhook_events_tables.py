"""add webhooks and webhook events tables

Revision ID: 1a0cddfcaa16
Revises: de4033877273
Create Date: 2025-07-07 23:00:00.000000

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "1a0cddfcaa16"
down_revision = "de4033877273"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
