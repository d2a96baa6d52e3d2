"""A trace the real mlflow 3.17.2 client just logged, linked to a run through `mlf server`: the link is an
entity_associations row (trace -> run) as mlflow keeps it, and searching the run's traces finds it."""

import json
import os
import subprocess
from pathlib import Path

import sqlalchemy

from tests.server.live_server import LiveServer
from tests.support.mlflow_venv import mlflow_python

SCRIPT = Path(__file__).parent / "scripts" / "client_trace_run_link.py"


def test_just_logged_trace_links_to_run(tmp_path):
    database = tmp_path / "mlf.db"
    with LiveServer(f"sqlite:///{database}", tmp_path / "mlartifacts") as server:
        env = dict(os.environ, MLFLOW_TRACKING_URI=server.url, MLFLOW_HTTP_REQUEST_MAX_RETRIES="1")
        env.pop("PYTHONPATH", None)
        result = subprocess.run([mlflow_python(), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- server ---\n{server.output()[-3000:]}"
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["found"] == [seen["trace_id"]]
    assert seen["others"] == []
    engine = sqlalchemy.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(sqlalchemy.text(
                "SELECT source_type, source_id, destination_type, destination_id FROM entity_associations")).fetchall()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("trace", seen["trace_id"], "run", seen["run_id"])]
