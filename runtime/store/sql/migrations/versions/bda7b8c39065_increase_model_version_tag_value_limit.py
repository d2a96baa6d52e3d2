"""increase model version tag value limit

Revision ID: bda7b8c39065
Revises: 6953534de441
Create Date: 2025-06-23 11:05:41.676297

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "bda7b8c39065"
down_revision = "6953534de441"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
