"""Waiting for SageMaker: finished, failed with its reason, and timed out (moto finishes every job at once,
so these paths are driven by a status sequence)."""

import pytest

from runtime.errors import MlfError
from runtime.sagemaker import polling


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(polling, "POLL_INTERVAL_S", 0.01)


def _statuses(*values):
    sequence = iter(values)
    return lambda: next(sequence)


def test_waits_until_done():
    describe = _statuses(("InProgress", None), ("InProgress", None), ("Completed", None))
    assert polling.wait_for(describe, "the job", ("Completed",), ("InProgress",), 60) == "Completed"


def test_failure_carries_the_reason():
    describe = _statuses(("InProgress", None), ("Failed", "ClientError: bad input"))
    with pytest.raises(MlfError, match="^the job ended with status Failed: ClientError: bad input$"):
        polling.wait_for(describe, "the job", ("Completed",), ("InProgress",), 60)


def test_times_out():
    with pytest.raises(MlfError, match=r"^Timed out after waiting 0.05 seconds for the job \(still InProgress\)"):
        polling.wait_for(lambda: ("InProgress", None), "the job", ("Completed",), ("InProgress",), 0.05)
