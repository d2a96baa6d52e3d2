"""Run `mlf` the way users do: through its entry point, with its own environment, cwd and streams.

``mlf(...)`` calls the entry point (runtime.cli.main.main) in this process, which is what a
command line does minus interpreter start-up (a subprocess per call cost the suite about a third
of a second each). Commands that start servers or child processes of their own
(PROCESS_COMMANDS) and callers that pass ``process=True`` get a real process, because there the
process is the point. Both return a subprocess.CompletedProcess.
"""

import contextlib
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# First command words whose commands start servers or child processes writing to inherited streams.
PROCESS_COMMANDS = {"server", "ui", "mcp", "run", "models", "gateway", "deployments", "sagemaker", "db", "autolog"}
_IN_PROCESS = threading.Lock()  # one command at a time owns os.environ, the cwd and the std streams


def _environment(env, tracking_uri):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    environment["PYTHONPATH"] = str(ROOT) + os.pathsep + environment.get("PYTHONPATH", "")
    if tracking_uri is not None:
        environment["MLFLOW_TRACKING_URI"] = str(tracking_uri)
    environment.update(env or {})
    return environment


def _command_word(argv):
    """The first command word, after root options (--env-file takes a value)."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] == "--env-file" else 1
    return argv[index] if index < len(argv) else None


def mlf(*args, env=None, cwd=None, tracking_uri=None, input_text=None, process=False):
    argv = [str(a) for a in args]
    environment = _environment(env, tracking_uri)
    if process or _command_word(argv) in PROCESS_COMMANDS:
        return mlf_process(argv, environment, cwd, input_text)
    return _mlf_in_process(argv, environment, cwd, input_text)


def mlf_process(argv, environment, cwd=None, input_text=None):
    return subprocess.run(
        [sys.executable, "-m", "runtime", *argv],
        capture_output=True, text=True, env=environment, cwd=cwd, input=input_text, timeout=120,
    )


def _text_stream(data=b""):
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace", write_through=True)


def _mlf_in_process(argv, environment, cwd, input_text):
    from runtime.cli.main import main

    stdout, stderr = _text_stream(), _text_stream()
    with _IN_PROCESS:
        saved_environ, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
        os.environ.clear()
        os.environ.update(environment)
        sys.stdin = _text_stream((input_text or "").encode("utf-8"))
        try:
            if cwd is not None:
                os.chdir(cwd)
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                try:
                    main(argv)
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_environ)
            sys.stdin = saved_stdin
    return subprocess.CompletedProcess(["mlf", *argv], code, stdout.buffer.getvalue().decode("utf-8", "replace"),
                                       stderr.buffer.getvalue().decode("utf-8", "replace"))


def tree_snapshot(root):
    """Every file under root with its bytes: proof that a failed command wrote nothing."""
    root = Path(root)
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
