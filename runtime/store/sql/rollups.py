"""The trace analytics rollup tables of mlflow's schema, and `mlf db delete-trace-rollups`.

The rollups are daily aggregates derived from traces, spans and assessments;
deleting them loses nothing that cannot be recomputed from those rows.
"""

import sys

from runtime.errors import MlfError

ROLLUP_TABLES = ("sql_trace_metric_daily_rollups", "sql_span_cost_daily_rollups", "sql_assessment_daily_rollups",
                 "sql_trace_rollup_rebuild_queue")


def _confirm(stdin, stderr, url, count):
    print(f"Delete {count} trace rollup row{'s' if count != 1 else ''} from {url}? [y/N]: ", end="", file=stderr,
          flush=True)
    return stdin.readline().strip().lower() in ("y", "yes")


def delete_trace_rollups(ctx, url, confirm_delete):
    """Empty the rollup tables of the database at url (one transaction); return the message to print."""
    from sqlalchemy import func, select

    from runtime.store.sql.engine import WRITE_TRANSACTION, create_engine
    from runtime.store.sql.tables import metadata
    from runtime.store.sql.upgrade import HEAD_REVISION, _recorded_revision

    if not url:
        raise MlfError("No database URL: give one or set MLFLOW_TRACKING_URI")
    engine = create_engine(url)
    try:
        with engine.connect() as plain:
            connection = plain.execution_options(**{WRITE_TRANSACTION: True})
            revision = _recorded_revision(connection)
            if revision != HEAD_REVISION:
                found = "has no schema revision" if revision is None else f"is at schema revision {revision}"
                raise MlfError(f"The database {found}, not {HEAD_REVISION}: run 'mlf db upgrade {url}' first")
            tables = [metadata.tables[name] for name in ROLLUP_TABLES]
            count = sum(connection.execute(select(func.count()).select_from(t)).scalar() for t in tables)
            connection.rollback()
            if not confirm_delete:
                stdin = getattr(ctx, "stdin", None) or sys.stdin
                if not _confirm(stdin, ctx.stderr, url, count):
                    return "Nothing deleted."
            with connection.begin():
                deleted = sum(connection.execute(t.delete()).rowcount for t in tables)
    finally:
        engine.dispose()
    return f"Deleted {deleted} trace rollup row{'s' if deleted != 1 else ''}."
