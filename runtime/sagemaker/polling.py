"""Waiting for SageMaker to finish something: poll a status until it settles or time runs out."""

import sys
import time

POLL_INTERVAL_S = 5
LOG_INTERVAL_S = 20


def log(message):
    print(message, file=sys.stderr, flush=True)


def wait_for(describe, what, done, waiting, timeout_s):
    """Poll describe() -> (status, reason) until status is in done; MlfError when it fails or times out.

    Statuses in waiting keep the loop going; anything else is a failure reported with its reason.
    """
    from runtime.errors import MlfError

    start = time.monotonic()
    last_log = start
    while True:
        status, reason = describe()
        if status in done:
            return status
        if status not in waiting:
            raise MlfError(f"{what} ended with status {status}" + (f": {reason}" if reason else ""))
        now = time.monotonic()
        if now - start >= timeout_s:
            raise MlfError(f"Timed out after waiting {timeout_s} seconds for {what} (still {status}); it goes on in "
                           "AWS: check it in the SageMaker console")
        if now - last_log >= LOG_INTERVAL_S:
            log(f"Waiting for {what}: {status}")
            last_log = now
        time.sleep(min(POLL_INTERVAL_S, max(0.0, timeout_s - (now - start))))
