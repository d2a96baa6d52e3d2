"""Both directions with the real mlflow 3.17.2, on sqlite, PostgreSQL and MariaDB.

mlflow creates a database and logs a full session (experiment, run, metric history with a
NaN, params, tags, a dataset input, a registered model with a version, tags and an alias,
a logged model with params and a linked metric, a trace with spans, a tag and a feedback
assessment). mlf then reads all of it - through its CLI and through `mlf server`, with
mlflow's own client reading the server - and must see exactly what mlflow wrote. mlflow's
client then logs a second session through `mlf server`, and mlflow, opening the database
itself, must read back exactly what mlf serves.
"""

import json

import pytest

from tests.server.live_server import LiveServer
from tests.sql_compat.conftest import database, run_mlf, run_peer

ALL_FEATURES = {"experiments", "runs", "metrics", "params", "tags", "registry", "datasets", "logged_models",
                "traces", "assessments"}


@pytest.mark.slow
def test_mlflow_and_mlf_read_each_others_writes(kind, tmp_path):
    with database(kind, tmp_path) as (url, peer_url):
        written = run_peer("3.17.2", "write", peer_url, "A", cwd=tmp_path)
        assert set(written.pop("features")) == ALL_FEATURES
        experiment = next(e for e in written["experiments"] if e["name"] == "compat-A")
        run = experiment["runs"][0]

        # mlf's CLI on the database mlflow made: no upgrade step.
        env = {"MLFLOW_TRACKING_URI": url}
        listed = run_mlf("experiments", "search", "--output", "json", env=env).stdout
        assert {e["name"] for e in json.loads(listed)} >= {"Default", "compat-A"}
        described = json.loads(run_mlf("runs", "describe", "--run-id", run["run_id"], env=env).stdout)
        assert json.dumps(described).count("hello A") == 1 and "alpha" in json.dumps(described)

        with LiveServer(url, tmp_path / "served-artifacts") as server:
            assert run_peer("3.17.2", "read", server.url, cwd=tmp_path) == written
            served = run_peer("3.17.2", "write", server.url, "B", cwd=tmp_path)
        assert set(served.pop("features")) == ALL_FEATURES
        assert len(served["experiments"]) == 3 and len(served["traces"]) == 2
        assert run_peer("3.17.2", "read", peer_url, cwd=tmp_path) == served
