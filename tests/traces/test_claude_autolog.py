"""Claude Code autolog: the transcript fixture becomes the expected span tree; settings are merged, not clobbered;
the Stop hook (`mlf autolog claude stop-hook`) logs the session to the store named in the hook's environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.autolog import claude
from runtime.autolog.claude_transcript import read_transcript, transcript_to_spans

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPT = Path(__file__).parent / "fixtures" / "claude_session.jsonl"
SESSION = "4a7c2e1d-93b5-4f0e-a1c2-7d8e9f001122"
MS = 1_000_000


def _tree(spans):
    by_id = {s.span_id: s for s in spans}

    def depth(span):
        return 0 if not span.parent_span_id else 1 + depth(by_id[span.parent_span_id])

    return [(depth(s), s.name, s.span_type) for s in spans]


def test_transcript_becomes_the_expected_span_tree():
    trace_id, spans = transcript_to_spans(read_transcript(TRANSCRIPT))
    assert _tree(spans) == [
        (0, "claude_code_session", "AGENT"),
        (1, "user_prompt", "CHAIN"),
        (2, "assistant", "LLM"),
        (2, "tool_Bash", "TOOL"),
        (2, "assistant", "LLM"),
        (1, "user_prompt", "CHAIN"),
        (2, "assistant", "LLM"),
        (2, "tool_Read", "TOOL"),
        (2, "assistant", "LLM"),
        (2, "tool_Edit", "TOOL"),
        (2, "assistant", "LLM"),
    ]
    root, first_prompt, reply, bash, answer, second_prompt, _, read, _, edit, last = spans
    assert trace_id.startswith("tr-") and all(s.request_id == trace_id for s in spans)
    assert len({s.trace_id for s in spans}) == 1 and len({s.span_id for s in spans}) == len(spans)
    # The session: first prompt in, final answer out; side-chain and meta lines are left out.
    assert root.inputs == {"prompt": "How many route handlers does app/routes.py define?"}
    assert root.outputs == {"response": 'Added GET /health returning {"status": "ok"}.'}
    assert root.attribute("claude_code.session_id") == SESSION and root.attribute("claude_code.turns") == 2
    assert (root.end_time_unix_nano - root.start_time_unix_nano) // MS == 78_000
    assert second_prompt.inputs == {"prompt": 'Add a /health route that returns {"status": "ok"}.'}
    assert first_prompt.outputs == {"response": "app/routes.py defines 12 route handlers."}
    # A reply written over two lines is one span; its usage counted once, cache tokens apart.
    assert reply.outputs["text"] == "I'll count the route decorators in app/routes.py."
    assert reply.outputs["tool_calls"][0]["name"] == "Bash"
    assert reply.attribute("mlflow.chat.tokenUsage") == {
        "input_tokens": 4, "output_tokens": 91, "total_tokens": 95,
        "cache_read_input_tokens": 14233, "cache_creation_input_tokens": 1203}
    assert reply.attribute("mlflow.llm.model") == "claude-sonnet-4-20250514"
    # Tools: input, result, duration from the call to its result, errors as ERROR spans.
    assert bash.inputs == {"command": "grep -c '@app.route' app/routes.py", "description": "Count route decorators"}
    assert bash.outputs == {"result": "12", "is_error": False}
    assert (bash.end_time_unix_nano - bash.start_time_unix_nano) // MS == 400
    assert read.status_code == "STATUS_CODE_ERROR" and read.outputs["is_error"] is True
    assert edit.outputs["result"] == "The file /home/dev/shop-api/app/routes.py has been updated."
    assert answer.parent_span_id == first_prompt.span_id and last.parent_span_id == second_prompt.span_id


def test_rebuilding_gives_the_same_ids():
    first = transcript_to_spans(read_transcript(TRANSCRIPT))
    again = transcript_to_spans(read_transcript(TRANSCRIPT))
    assert first[0] == again[0] and [s.span_id for s in first[1]] == [s.span_id for s in again[1]]


def test_transcript_without_prompts_is_refused(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text('{"type": "summary", "summary": "x"}\n')
    with pytest.raises(Exception, match="no user prompt"):
        transcript_to_spans(read_transcript(path))


# ---------------------------------------------------------------- settings
USER_SETTINGS = {
    "permissions": {"allow": ["Bash(npm test)"]},
    "env": {"MY_VAR": "1"},
    "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
              "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit"}]}]},
}


def _settings(project, name="settings.json"):
    return json.loads((project / ".claude" / name).read_text())


def test_setup_merges_is_idempotent_and_disable_removes_only_ours(tmp_path):
    project = tmp_path / "proj"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.json").write_text(json.dumps(USER_SETTINGS))
    claude.setup(str(project), tracking_uri="sqlite:///t.db", experiment_name="sessions")
    claude.setup(str(project), tracking_uri="sqlite:///t.db", experiment_name="sessions")
    data = _settings(project)
    assert data["permissions"] == USER_SETTINGS["permissions"]
    assert data["hooks"]["PreToolUse"] == USER_SETTINGS["hooks"]["PreToolUse"]
    stop_commands = [h["command"] for e in data["hooks"]["Stop"] for h in e["hooks"]]
    assert stop_commands == ["notify-send done", "mlf autolog claude stop-hook"]
    assert data["env"]["MY_VAR"] == "1" and data["env"]["MLFLOW_CLAUDE_TRACING_ENABLED"] == "true"
    assert data["env"]["MLFLOW_TRACKING_URI"] == "sqlite:///t.db"
    assert data["env"]["MLFLOW_EXPERIMENT_NAME"] == "sessions"
    state = claude.status(str(project))
    assert state["enabled"] and state["experiment_name"] == "sessions"
    # Switching to an experiment id drops the name mlf wrote.
    claude.setup(str(project), experiment_id="7")
    env = _settings(project)["env"]
    assert env["MLFLOW_EXPERIMENT_ID"] == "7" and "MLFLOW_EXPERIMENT_NAME" not in env
    assert claude.teardown(str(project)) == [str(project / ".claude" / "settings.json")]
    assert _settings(project) == USER_SETTINGS
    assert claude.teardown(str(project)) == []
    assert not claude.status(str(project))["enabled"]


def test_setup_in_a_fresh_project_and_disable_leaves_an_empty_object(tmp_path):
    claude.setup(str(tmp_path), local=True)
    assert not (tmp_path / ".claude" / "settings.json").exists()
    assert _settings(tmp_path, "settings.local.json")["hooks"]["Stop"][0]["hooks"][0]["type"] == "command"
    claude.teardown(str(tmp_path))
    assert _settings(tmp_path, "settings.local.json") == {}


def test_broken_settings_are_not_overwritten(tmp_path):
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text("{not json")
    with pytest.raises(Exception, match="not valid JSON"):
        claude.setup(str(tmp_path))
    assert (tmp_path / ".claude" / "settings.json").read_text() == "{not json"


# ---------------------------------------------------------------- through the CLI
def _mlf(*args, env=None, stdin=None, cwd=None):
    full_env = dict(os.environ, PYTHONPATH=str(ROOT))
    full_env.pop("MLFLOW_TRACKING_URI", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "runtime", *args], input=stdin, capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=120)


def test_cli_setup_status_disable_with_positional_directory(tmp_path):
    result = _mlf("autolog", "claude", str(tmp_path), "-u", "file:///x/mlruns", "-e", "3")
    assert result.returncode == 0, result.stderr
    assert "set up" in result.stdout
    status = _mlf("autolog", "claude", "-d", str(tmp_path), "--status")
    assert "enabled" in status.stdout and "file:///x/mlruns" in status.stdout and "3" in status.stdout
    both = _mlf("autolog", "claude", str(tmp_path), "-d", str(tmp_path / "other"))
    assert both.returncode == 2 and "not both" in both.stderr
    clash = _mlf("autolog", "claude", str(tmp_path), "-e", "1", "-n", "x")
    assert clash.returncode == 2 and "not both" in clash.stderr
    off = _mlf("autolog", "claude", str(tmp_path), "--disable")
    assert off.returncode == 0 and "disabled" in off.stdout
    assert _settings(tmp_path) == {}


def test_stop_hook_logs_the_session_and_updates_it_again(tmp_path):
    store_dir = tmp_path / "mlruns"
    env = {"MLFLOW_CLAUDE_TRACING_ENABLED": "true", "MLFLOW_TRACKING_URI": str(store_dir),
           "MLFLOW_EXPERIMENT_NAME": "claude-sessions", "USER": "dev"}
    event = json.dumps({"session_id": SESSION, "transcript_path": str(TRANSCRIPT), "hook_event_name": "Stop"})
    for _ in range(2):
        result = _mlf("autolog", "claude", "stop-hook", env=env, stdin=event)
        assert result.returncode == 0 and json.loads(result.stdout) == {"continue": True}, result.stderr
        assert "logged Claude Code session" in result.stderr
    found = _mlf("traces", "search", "-x", _experiment_id(store_dir), "--output", "json",
                 env={"MLFLOW_TRACKING_URI": str(store_dir)})
    traces = json.loads(found.stdout)["traces"]
    assert len(traces) == 1
    info, spans = traces[0]["info"], traces[0]["data"]["spans"]
    assert info["trace_metadata"]["mlflow.trace.session"] == SESSION
    assert info["trace_metadata"]["mlflow.trace.user"] == "dev"
    assert json.loads(info["trace_metadata"]["mlflow.trace.tokenUsage"]) == {
        "input_tokens": 21, "output_tokens": 520, "total_tokens": 541}
    assert info["tags"]["mlflow.traceName"] == "claude_code_session" and info["state"] == "OK"
    assert info["execution_duration_ms"] == 78_000
    assert len(spans) == 11


def test_stop_hook_never_fails_the_session(tmp_path):
    env = {"MLFLOW_CLAUDE_TRACING_ENABLED": "true", "MLFLOW_TRACKING_URI": str(tmp_path / "mlruns")}
    result = _mlf("autolog", "claude", "stop-hook", env=env, stdin='{"transcript_path": "/nonexistent.jsonl"}')
    assert result.returncode == 0 and json.loads(result.stdout) == {"continue": True}
    assert "could not trace" in result.stderr
    disabled = _mlf("autolog", "claude", "stop-hook", env={"MLFLOW_CLAUDE_TRACING_ENABLED": "false"},
                    stdin=json.dumps({"transcript_path": str(TRANSCRIPT)}))
    assert disabled.returncode == 0 and disabled.stderr == ""


def _experiment_id(store_dir):
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(str(store_dir))
    try:
        return store.get_experiment_by_name("claude-sessions").experiment_id
    finally:
        store.close()
