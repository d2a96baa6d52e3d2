"""16 clients logging to one `mlf server` at once, on sqlite and PostgreSQL: no errors, no lost points."""

import os
import subprocess
import sys

import pytest
import requests

from tests.server.conftest import backend_uri
from tests.server.live_server import ROOT, LiveServer

CLIENTS = 16
BATCHES = 20
POINTS_PER_BATCH = 25
SCRIPT = ROOT / "tests" / "server" / "scripts" / "concurrent_logger.py"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_sixteen_clients_lose_no_metric_points(kind, tmp_path):
    with backend_uri(kind, tmp_path) as uri, LiveServer(uri, tmp_path / "artifacts", ["--workers", "2"]) as server:
        experiment_id = requests.post(server.url + "/api/2.0/mlflow/experiments/create",
                                      json={"name": "concurrency"}).json()["experiment_id"]
        env = dict(os.environ, PYTHONPATH=str(ROOT), MLFLOW_HTTP_REQUEST_MAX_RETRIES="0")
        processes = [
            subprocess.Popen([sys.executable, str(SCRIPT), server.url, experiment_id, str(worker), str(BATCHES),
                              str(POINTS_PER_BATCH)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
            for worker in range(CLIENTS)
        ]
        run_ids = []
        for process in processes:
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, f"{err}\n--- server ---\n{server.output()[-3000:]}"
            run_ids.append(out.strip())
        assert len(set(run_ids)) == CLIENTS

        from runtime.store.rest.store import RestStore

        store = RestStore(server.url)
        runs = store.search_runs([experiment_id], max_results=100)
        assert sorted(r.info.run_id for r in runs) == sorted(run_ids)
        for run in runs:
            history = store.get_metric_history(run.info.run_id, "loss")
            assert [m.step for m in history] == list(range(BATCHES * POINTS_PER_BATCH)), run.info.run_id
            singles = store.get_metric_history(run.info.run_id, "single")
            assert sorted(m.step for m in singles) == list(range(BATCHES))
            assert run.info.status == "FINISHED"
            assert run.tags["batch"] == str(BATCHES - 1)
            assert run.params["worker"] == run.tags["worker"]
        store.close()
        assert "Traceback" not in server.output()
