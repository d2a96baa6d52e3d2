"""`mlf db delete-trace-rollups`: empties the rollup tables only, asks first unless --yes."""

import sqlite3
import subprocess
import sys

from tests.sql_compat.conftest import run_mlf

ROLLUP_ROWS = [
    "INSERT INTO sql_trace_rollup_rebuild_queue VALUES (0, '2026-01-01', 'trace')",
    "INSERT INTO sql_trace_metric_daily_rollups (experiment_id, rollup_day, metric_name, grouping_set, sample_count) "
    "VALUES (0, '2026-01-01', 'latency', 'all', 3)",
    "INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, status) VALUES ('tr-1', 0, 1, 'OK')",
]


def _count(path, table):
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _database(tmp_path):
    path = tmp_path / "rollups.db"
    run_mlf("db", "upgrade", f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        for statement in ROLLUP_ROWS:
            connection.execute(statement)
    return path


def test_delete_trace_rollups_asks_then_deletes_only_rollups(tmp_path):
    path = _database(tmp_path)
    url = f"sqlite:///{path}"
    answered_no = subprocess.run([sys.executable, "-m", "runtime", "db", "delete-trace-rollups", url], input="n\n",
                                 capture_output=True, text=True)
    assert answered_no.returncode == 0 and "Delete 2 trace rollup rows" in answered_no.stderr
    assert _count(path, "sql_trace_metric_daily_rollups") == 1
    done = run_mlf("db", "delete-trace-rollups", "--yes", env={"MLFLOW_TRACKING_URI": url})
    assert done.stdout.strip() == "Deleted 2 trace rollup rows."
    assert _count(path, "sql_trace_metric_daily_rollups") == _count(path, "sql_trace_rollup_rebuild_queue") == 0
    assert _count(path, "trace_info") == 1


def test_delete_trace_rollups_refuses_an_old_schema(tmp_path):
    path = _database(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0003_traces'")
    refused = run_mlf("db", "delete-trace-rollups", "--yes", f"sqlite:///{path}", check=False)
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert "0003_traces" in refused.stderr and "mlf db upgrade" in refused.stderr
    assert _count(path, "sql_trace_metric_daily_rollups") == 1
