"""increase experiment tag value limit

Revision ID: 17e22815139b
Revises: 1971f2d9a75b
Create Date: 2026-08-13 16:36:37.291014

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "17e22815139b"
down_revision = "1971f2d9a75b"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
