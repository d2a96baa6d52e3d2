"""add job executor persistence model

Revision ID: dc11669786a5
Revises: 75868b020152
Create Date: 2026-05-20 14:19:33.487151

The head: its upgrade brings the database to exactly the schema of
runtime/store/sql/tables.py (see converge.py), whichever earlier revision it was at.
"""

from alembic import op

revision = "dc11669786a5"
down_revision = "75868b020152"
branch_labels = None
depends_on = None


def upgrade():
    # Whatever revision the database came from, leave it with exactly the head schema.
    from runtime.store.sql.migrations.converge import converge

    converge(op.get_bind())


def downgrade():
    raise NotImplementedError("mlf does not downgrade database schemas")
