"""--expose-prometheus DIR: request counts and latencies per endpoint at /metrics.

Written in the Prometheus text format by hand (no extra dependency). Each
worker process keeps its numbers in memory and writes a snapshot to
DIR/mlf-metrics-<pid>.json (atomically, each second while it changes, and at exit);
/metrics adds up the snapshots of all workers so the numbers cover the whole
server whichever worker answers the scrape. The series are labelled by route
template (path with {placeholders}), method and status, so ids in URLs do
not create new series.
"""

import json
import os
import threading
import time

from runtime.fsutil import atomic_write

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
SNAPSHOT_PREFIX = "mlf-metrics-"
SNAPSHOT_INTERVAL_S = 1.0
ROUTE_LABEL_KEY = "mlf.route"
UNMATCHED = "<unmatched>"


class RequestMetrics:
    """Counters and latency histograms keyed by (method, route, status)."""

    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()
        self.series = {}  # key "method route status" -> {"count", "sum", "buckets"}
        self.dirty = False
        self._flusher = None
        os.makedirs(directory, exist_ok=True)

    def _start_flusher(self):
        """A daemon thread writing this worker's snapshot each second while numbers change,
        so a scrape answered by another worker is at most a second behind."""
        def flush_forever():
            while True:
                time.sleep(SNAPSHOT_INTERVAL_S)
                if self.dirty:
                    self.write_snapshot()

        self._flusher = threading.Thread(target=flush_forever, name="mlf-metrics-flush", daemon=True)
        self._flusher.start()

    def observe(self, method, route, status, seconds):
        key = "\t".join((method, route, str(status)))
        with self.lock:
            entry = self.series.get(key)
            if entry is None:
                entry = self.series[key] = {"count": 0, "sum": 0.0, "buckets": [0] * len(BUCKETS)}
            entry["count"] += 1
            entry["sum"] += seconds
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    entry["buckets"][index] += 1
            self.dirty = True
            if self._flusher is None:
                self._start_flusher()

    def snapshot_path(self, pid=None):
        return os.path.join(self.directory, f"{SNAPSHOT_PREFIX}{pid or os.getpid()}.json")

    def write_snapshot(self):
        with self.lock:
            data = json.dumps(self.series)
            self.dirty = False
        atomic_write(self.snapshot_path(), data)

    def merged(self):
        """This process's live series plus every other worker's latest snapshot."""
        with self.lock:
            total = {k: {"count": v["count"], "sum": v["sum"], "buckets": list(v["buckets"])} for k, v in self.series.items()}
        own = os.path.basename(self.snapshot_path())
        for name in sorted(os.listdir(self.directory)):
            if not name.startswith(SNAPSHOT_PREFIX) or not name.endswith(".json") or name == own:
                continue
            try:
                with open(os.path.join(self.directory, name), encoding="utf-8") as handle:
                    other = json.load(handle)
            except (OSError, ValueError):
                continue  # a worker is replacing it right now; next scrape sees it
            for key, entry in other.items():
                target = total.setdefault(key, {"count": 0, "sum": 0.0, "buckets": [0] * len(BUCKETS)})
                target["count"] += entry["count"]
                target["sum"] += entry["sum"]
                target["buckets"] = [a + b for a, b in zip(target["buckets"], entry["buckets"])]
        return total

    def render(self):
        series = self.merged()
        lines = [
            "# HELP mlf_http_requests_total Requests served, by method, route and status.",
            "# TYPE mlf_http_requests_total counter",
        ]
        for key in sorted(series):
            lines.append(f"mlf_http_requests_total{{{_labels(key)}}} {series[key]['count']}")
        lines += [
            "# HELP mlf_http_request_duration_seconds Time to answer a request, by method, route and status.",
            "# TYPE mlf_http_request_duration_seconds histogram",
        ]
        for key in sorted(series):
            entry, labels = series[key], _labels(key)
            for bound, count in zip(BUCKETS, entry["buckets"]):
                lines.append(f'mlf_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {count}')
            lines.append(f'mlf_http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {entry["count"]}')
            lines.append(f"mlf_http_request_duration_seconds_sum{{{labels}}} {entry['sum']:.6f}")
            lines.append(f"mlf_http_request_duration_seconds_count{{{labels}}} {entry['count']}")
        return "\n".join(lines) + "\n"


def _escape(value):
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(key):
    method, route, status = key.split("\t")
    return f'method="{_escape(method)}",route="{_escape(route)}",status="{status}"'


def clear_snapshots(directory):
    """Drop snapshots of an earlier server run (called once by the parent before workers start)."""
    if not directory or not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if name.startswith(SNAPSHOT_PREFIX) and name.endswith(".json"):
            try:
                os.unlink(os.path.join(directory, name))
            except FileNotFoundError:
                pass


class MetricsMiddleware:
    """Times every HTTP request and records it under the route template the router matched."""

    def __init__(self, app, metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 500}

        async def recording_send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get(ROUTE_LABEL_KEY, UNMATCHED)
            self.metrics.observe(scope["method"], route, status["code"], time.perf_counter() - started)


def label_route(route):
    """The same route, marking the scope with its path template for the metrics middleware."""
    from starlette.routing import Route

    inner = route.endpoint
    template = route.path

    async def labelled(request):
        request.scope[ROUTE_LABEL_KEY] = template
        return await inner(request)

    return Route(route.path, labelled, methods=sorted(route.methods or ()), name=route.name)


def metrics_middleware_and_routes(config):
    """([Middleware], [Route]) for config.expose_prometheus; nothing when it is unset."""
    if not config.expose_prometheus:
        return [], []
    from starlette.middleware import Middleware
    from starlette.responses import Response
    from starlette.routing import Route

    metrics = RequestMetrics(config.expose_prometheus)

    async def serve_metrics(request):
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    return [Middleware(MetricsMiddleware, metrics=metrics)], [Route("/metrics", serve_metrics, methods=["GET"])]
