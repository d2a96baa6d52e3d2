"""AI gateway overhead: `mlf gateway start` against `mlflow gateway start`, side by side.

    python -m bench.gateway [--seconds S] [--threads N] [--workers N] [--starts K]

A fake OpenAI provider that answers instantly (a bare ASGI app on uvicorn, in its own process)
sits behind both gateways, configured identically (one openai chat endpoint). For chat with and
without streaming it measures: sequential latency straight to the fake and through each
gateway (the difference of the medians is the latency the gateway adds), and requests/s with N
client threads. Start-up is the time from process start to the first 200 on /health.
mlflow runs from a peer venv with its `gateway` extra (tests/gateway/peer_venvs.py).
"""

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.procstat import ROOT, clean_env, compile_sources
from bench.server import free_port, print_ratio_table, start, stop, tree_rss_mib, wait_ready

_FAKE_PROVIDER = r"""
import json, sys, uvicorn
ANSWER = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
CHUNK = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
    "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}]}
STREAM = b"".join(b"data: " + json.dumps(CHUNK).encode() + b"\n\n" for _ in range(5)) + b"data: [DONE]\n\n"
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    stream = b'"stream":true' in body.replace(b" ", b"")
    kind = b"text/event-stream" if stream else b"application/json"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", kind)]})
    await send({"type": "http.response.body", "body": STREAM if stream else ANSWER})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", access_log=False)
"""

MESSAGES = [{"role": "user", "content": "Say hi"}]


def gateway_config(base):
    return ("endpoints:\n  - name: chat\n    endpoint_type: llm/v1/chat\n    model:\n      provider: openai\n"
            f"      name: gpt-4o-mini\n      config:\n        openai_api_key: sk-bench\n        openai_api_base: {base}\n")


def one_call(session, url, body, stream):
    response = session.post(url, json=body, timeout=30, stream=stream)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
    if stream:
        for _ in response.iter_content(chunk_size=None):
            pass
    else:
        response.content
    response.close()


def latencies(url, body, stream, count):
    import requests

    session, samples = requests.Session(), []
    for _ in range(20):
        one_call(session, url, body, stream)  # warm-up: connections and first-call imports
    for _ in range(count):
        began = time.perf_counter()
        one_call(session, url, body, stream)
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def throughput(url, body, stream, threads, seconds):
    import requests

    done, lock = [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        session, mine = requests.Session(), 0
        while time.perf_counter() < deadline:
            one_call(session, url, body, stream)
            mine += 1
        with lock:
            done[0] += mine

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return done[0] / (time.perf_counter() - began)


def measure_gateway(name, argv, env, folder, upstream_direct, args):
    startups, results = [], {}
    for attempt in range(args.starts):
        port = free_port()
        proc = start(argv + ["--port", str(port)], env, folder)
        try:
            startups.append(wait_ready(proc, f"http://127.0.0.1:{port}/health", timeout=180))
            if attempt == args.starts - 1:
                url = f"http://127.0.0.1:{port}/endpoints/chat/invocations"
                for stream in (False, True):
                    body = {"messages": MESSAGES, "stream": stream} if stream else {"messages": MESSAGES}
                    p50, p95 = latencies(url, body, stream, args.calls)
                    direct50, direct95 = upstream_direct[stream]
                    results[stream] = {"p50": p50 - direct50, "p95": p95 - direct95,
                                       "rps": throughput(url, body, stream, args.threads, args.seconds)}
                results["rss"] = tree_rss_mib(proc.pid)
        finally:
            stop(proc)
    results["startup"] = statistics.median(startups)
    print(f"{name}: measured", file=sys.stderr)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--calls", type=int, default=300, help="sequential calls for the latency percentiles")
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.gateway.peer_venvs import mlflow_gateway_python

    mlflow_gw = mlflow_gateway_python()
    compile_sources()
    with tempfile.TemporaryDirectory() as folder:
        fake_port = free_port()
        fake = start([sys.executable, "-c", _FAKE_PROVIDER, str(fake_port)], clean_env(), folder)
        try:
            base = f"http://127.0.0.1:{fake_port}/v1"
            wait_ready_post(fake, base + "/chat/completions")
            direct = {stream: latencies(base + "/chat/completions",
                                        {"messages": MESSAGES, "model": "m", **({"stream": True} if stream else {})},
                                        stream, args.calls) for stream in (False, True)}
            config = Path(folder) / "gateway.yaml"
            config.write_text(gateway_config(base))
            common = ["gateway", "start", "--config-path", str(config), "--host", "127.0.0.1", "--workers", str(args.workers)]
            mine = measure_gateway("mlf", [sys.executable, "-m", "runtime"] + common, clean_env(), folder, direct, args)
            theirs = measure_gateway(
                "mlflow", [mlflow_gw, "-c", "import sys; from mlflow.cli import cli; sys.argv[0] = 'mlflow'; cli()"] + common,
                clean_env(MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS="true", MLFLOW_GATEWAY_API_BASE_ALLOWED_SCHEMES="http,https"),
                folder, direct, args)
        finally:
            stop(fake)
    rows = [("start to first /health", "s", mine["startup"], theirs["startup"])]
    for stream, label in ((False, "chat"), (True, "chat, streaming")):
        rows += [(f"{label}: requests/s, {args.threads} threads", "req/s", mine[stream]["rps"], theirs[stream]["rps"]),
                 (f"{label}: added latency p50", "ms", mine[stream]["p50"], theirs[stream]["p50"]),
                 (f"{label}: added latency p95", "ms", mine[stream]["p95"], theirs[stream]["p95"])]
    rows.append(("memory of the gateway process tree", "MiB", mine["rss"], theirs["rss"]))
    print_ratio_table(f"AI gateway, --workers {args.workers}, fake provider answering instantly "
                      f"(direct p50 {direct[False][0]:.2f} ms, streaming {direct[True][0]:.2f} ms)", rows)


def wait_ready_post(proc, url, timeout=30.0):
    import requests

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode()[-2000:])
        try:
            requests.post(url, json={}, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} not ready")


if __name__ == "__main__":
    main()
