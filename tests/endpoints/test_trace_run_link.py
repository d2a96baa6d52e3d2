"""A trace the real mlflow 3.17.2 client just logged, linked to a run through `mlf server`: the link is an
entity_associations row (trace -> run) as mlflow keeps it, and searching the run's traces finds it."""

import sqlalchemy

from tests.endpoints.client_script import run_client_script
from tests.server.live_server import LiveServer


def test_just_logged_trace_links_to_run(tmp_path):
    database = tmp_path / "mlf.db"
    with LiveServer(f"sqlite:///{database}", tmp_path / "mlartifacts") as server:
        seen = run_client_script("client_trace_run_link.py", server)
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
