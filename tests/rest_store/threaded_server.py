"""An mlf tracking app served by uvicorn in a thread of the test process, on 127.0.0.1 and a free port.

Cheaper than a server process when every test wants a fresh store; the
HTTP traffic is still real (sockets, headers, streaming).
"""

import threading
import time

from tests.server.live_server import free_port


class ThreadedServer:
    def __init__(self, config):
        self.config = config
        self.port = free_port()
        self.server = None
        self.thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        import uvicorn

        from runtime.server.app import build_app

        app = build_app(self.config)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, name="mlf-test-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("threaded mlf server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=20)
