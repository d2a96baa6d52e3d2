"""increase run tag value limit

Revision ID: f5a4f2784254
Revises: 4465047574b1
Create Date: 2024-09-18 08:53:51.552934

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "f5a4f2784254"
down_revision = "4465047574b1"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
