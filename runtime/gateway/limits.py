"""Per-endpoint rate limits (`calls` per `renewal_period`), fixed windows keyed by endpoint and
client address. One counter serves every path that reaches an endpoint (/endpoints, /gateway,
/v1, and routes that pick it). With several workers the counters live in small files under a
directory shared by the workers, updated under an exclusive lock, so the limit is global.
"""

import fcntl
import os
import struct
import threading
import time

_RECORD = struct.Struct(">qq")  # window number, calls in that window


class MemoryCounters:
    def __init__(self):
        self._windows = {}
        self._lock = threading.Lock()

    def hit(self, key, window):
        with self._lock:
            current, count = self._windows.get(key, (window, 0))
            count = count + 1 if current == window else 1
            self._windows[key] = (window, count)
            return count


class FileCounters:
    """Counters shared by processes: one file per key, read-modify-written under flock."""

    def __init__(self, directory):
        self.directory = directory

    def hit(self, key, window):
        path = os.path.join(self.directory, key.encode().hex()[:200])
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, _RECORD.size, 0)
            current, count = _RECORD.unpack(raw) if len(raw) == _RECORD.size else (window, 0)
            count = count + 1 if current == window else 1
            os.pwrite(fd, _RECORD.pack(window, count), 0)
            return count
        finally:
            os.close(fd)


class RateLimiter:
    def __init__(self, directory=None):
        self.counters = FileCounters(directory) if directory else MemoryCounters()

    def allow(self, endpoint, client):
        """None when the call may proceed, else the 429 message (slowapi's wording, as mlflow sends)."""
        limit = endpoint.limit
        if limit is None:
            return None
        window = int(time.time() // limit.seconds)
        count = self.counters.hit(f"{endpoint.name}|{limit.calls}/{limit.renewal_period}|{client}", window)
        if count > limit.calls:
            return f"Rate limit exceeded: {limit.calls} per 1 {limit.renewal_period}"
        return None
