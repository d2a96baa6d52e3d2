"""Extra peer environments for the gateway's tests and benchmark, built once under the test
cache next to the shared mlflow venv (which is never modified):

- `openai-sdk`: only the official `openai` package, to drive /v1 with OpenAI's own client;
- `mlflow-3.17.2-gateway`: mlflow's `gateway` extra (slowapi, watchfiles, psutil...) in its own
  venv that sees the shared mlflow install through a .pth file, for `mlflow gateway start`.
"""

import fcntl
import subprocess
import sys

from tests.support.mlflow_venv import cache_root, mlflow_python

OPENAI_SDK = ["openai>=1.40"]
MLFLOW_GATEWAY_EXTRA = ["slowapi>=0.1.9", "watchfiles", "psutil", "uvicorn[standard]", "tiktoken", "aiohttp", "fastapi"]


def _build(name, packages, prepare=None):
    root = cache_root() / name
    python = root / "bin" / "python"
    marker = root / ".complete"
    if marker.exists():
        return str(python)
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(root)], check=True)
            if prepare:
                prepare(python)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
            marker.write_text("ok")
    return str(python)


def openai_python():
    return _build("openai-sdk", OPENAI_SDK)


def _link_mlflow(python):
    peer = subprocess.run([mlflow_python(), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True).stdout.strip()
    with open(f"{own}/mlflow_peer.pth", "w") as handle:
        handle.write(peer + "\n")


def mlflow_gateway_python():
    return _build("mlflow-3.17.2-gateway", MLFLOW_GATEWAY_EXTRA, prepare=_link_mlflow)


if __name__ == "__main__":
    print(openai_python())
    print(mlflow_gateway_python())
