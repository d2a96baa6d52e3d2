"""create index on run uuid

Revision ID: bd07f7e963c5
Revises: c48cb773bb87
Create Date: 2022-03-03 10:14:34.037978

A waypoint of mlflow's chain: databases stamped with it upgrade through the head
revision, which makes all the schema changes.
"""

revision = "bd07f7e963c5"
down_revision = "c48cb773bb87"
branch_labels = None
depends_on = None


def upgrade():
    # A coarse step: the head revision's converge makes every change up to the head at once.
    pass


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
