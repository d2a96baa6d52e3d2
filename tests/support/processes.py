"""Plumbing shared by the fixtures that run a server as a child process (mlf, mlflow, moto)."""

import socket
import time

START_TIMEOUT_S = 60


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_log(log):
    """Everything the child wrote so far to its temporary log file ("" before it started)."""
    if log is None:
        return ""
    log.flush()
    log.seek(0)
    return log.read()


def wait_until_answers(server, url, what, interval=0.2):
    """Poll url until it answers 200; a child that exits, or never answers, fails with its output.

    server has .process, .output() and .stop(); a stopped server is cleaned up before the error.
    """
    import requests

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{what} exited with {server.process.returncode}:\n{server.output()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(interval)
    server.stop()
    raise RuntimeError(f"{what} did not answer within {START_TIMEOUT_S}s:\n{server.output()}")
