"""Give PostgreSQL's planner statistics before the first search of a young database.

Until autovacuum first analyzes a table (up to a minute after it fills),
PostgreSQL guesses 0.5% selectivity for every equality, so
"experiment_id = 1 AND lifecycle_stage = 'active'" looks like one run and run
searches get nested-loop plans that rescan whole tables per row: a filtered
search over 2000 fresh runs took 81 s instead of 2 ms. Before a run search we
ANALYZE the tracking tables once, if they hold data and were never analyzed.
"""

import weakref

from sqlalchemy import text

_TABLES = ("runs", "latest_metrics", "params", "tags", "inputs", "datasets", "input_tags")
# Below this many rows any plan is fast enough; analyzing can wait for autovacuum.
_MIN_ROWS = 200

_ready_engines = weakref.WeakSet()

_STATE = text(
    "SELECT relname, n_live_tup, (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) "
    "FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = ANY(:names)"
)


def ensure_planner_statistics(connection):
    """ANALYZE never-analyzed tracking tables that hold data (PostgreSQL only; cheap once done)."""
    engine = connection.engine
    if connection.dialect.name != "postgresql" or engine in _ready_engines:
        return
    rows = connection.execute(_STATE, {"names": list(_TABLES)}).all()
    missing = [name for name, _, analyzed in rows if not analyzed]
    if not missing:
        _ready_engines.add(engine)
    elif max(live for _, live, _ in rows) >= _MIN_ROWS:
        # Empty tables included: analyzed once, they never make us look again.
        connection.exec_driver_sql("ANALYZE " + ", ".join(missing))
