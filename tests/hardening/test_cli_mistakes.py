"""CLI mistakes a new user made: each fails at once with one line on stderr and changes nothing."""

import pytest

from runtime.store.factory import get_tracking_store
from runtime.tracing.entities import TraceInfo
from tests.cli.helpers import mlf

TRACE_ID = "tr-" + "a" * 32


@pytest.mark.parametrize("kind", ["file", "sqlite"])
def test_delete_assessment_with_a_missing_id_fails(tmp_path, kind):
    uri = str(tmp_path / "mlruns") if kind == "file" else f"sqlite:///{tmp_path / 'mlf.db'}"
    store = get_tracking_store(uri, str(tmp_path / "artifacts"))
    store.start_trace(TraceInfo(trace_id=TRACE_ID, experiment_id="0", request_time=1000, execution_duration=1, state="OK"))
    store.close()
    result = mlf("traces", "delete-assessment", "--trace-id", TRACE_ID, "--assessment-id", "a-missing", tracking_uri=uri)
    assert result.returncode == 1
    assert "Deleted" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "a-missing" in lines[0] and "Traceback" not in result.stderr


def test_tracking_server_that_is_down_is_reported_at_once_in_one_line(tmp_path):
    from tests.server.live_server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    # The default retries with backoff took four minutes before: the helper's 120 s timeout fails that.
    result = mlf("experiments", "search", tracking_uri=url, process=True)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and url in lines[0] and "connection refused" in lines[0]
