"""Alembic environment for the frozen migrations of earlier mlf releases (tests only).

They make databases exactly as mlf 0001_tracking..0003_traces did, for the upgrade tests.
"""

from alembic import context


def _run(connection):
    context.configure(connection=connection, target_metadata=None,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


_run(context.config.attributes["connection"])
