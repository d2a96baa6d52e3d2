"""Claude Code tracing: the project settings mlf manages, and the Stop hook that logs sessions.

Set-up adds, to <project>/.claude/settings.json (or settings.local.json):

    "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "mlf autolog claude stop-hook"}]}]}
    "env":   {"MLFLOW_CLAUDE_TRACING_ENABLED": "true", "MLFLOW_TRACKING_URI": ..., "MLFLOW_EXPERIMENT_ID": ...,
              "MLF_CLAUDE_TRACING_KEYS": <the env keys mlf wrote>}

Everything else in the file is kept; setting up twice leaves one hook;
disabling removes only the hook whose command is ours and the env keys we
recorded writing. Claude Code runs the hook with the settings' env and a JSON
object on stdin (session_id, transcript_path, ...).
"""

import json
import os
import sys

from runtime.errors import MlfError, UsageError

HOOK_EVENT = "Stop"
HOOK_SUBCOMMAND = "autolog claude stop-hook"
ENABLED_KEY = "MLFLOW_CLAUDE_TRACING_ENABLED"
MANAGED_KEYS_KEY = "MLF_CLAUDE_TRACING_KEYS"
CONFIG_KEYS = ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME")
SETTINGS_FILES = ("settings.json", "settings.local.json")


def hook_command(program="mlf"):
    return f"{program} {HOOK_SUBCOMMAND}"


def _is_our_hook(hook):
    return isinstance(hook, dict) and str(hook.get("command", "")).rstrip().endswith(HOOK_SUBCOMMAND)


def load_settings(path):
    """The settings object of a file ({} when there is none); a file that is not a JSON object is an error."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MlfError(f"{path} is not valid JSON ({exc}); fix it before mlf changes it") from None
    if not isinstance(data, dict):
        raise MlfError(f"{path} does not hold a JSON object; fix it before mlf changes it")
    return data


def save_settings(path, data):
    from runtime.fsutil import atomic_write

    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def enable(settings, command, env_values):
    """settings with our Stop hook and env values added (a new dict; other content untouched)."""
    settings = json.loads(json.dumps(settings))
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise MlfError("The settings' \"hooks\" is not an object; fix it before mlf changes it")
    entries = hooks.setdefault(HOOK_EVENT, [])
    ours = [h for entry in entries if isinstance(entry, dict) for h in entry.get("hooks", []) if _is_our_hook(h)]
    if ours:
        for hook in ours:  # already set up: keep one place, refresh the command
            hook["command"] = command
    else:
        entries.append({"hooks": [{"type": "command", "command": command}]})
    env = settings.setdefault("env", {})
    if not isinstance(env, dict):
        raise MlfError("The settings' \"env\" is not an object; fix it before mlf changes it")
    managed = set(filter(None, env.get(MANAGED_KEYS_KEY, "").split(",")))
    for key, value in env_values.items():
        env[key] = value
        managed.add(key)
    # Experiment id and name exclude each other: drop the other one if mlf wrote it before.
    for key in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME"):
        if key in managed and key not in env_values and _other_experiment_key(key) in env_values:
            env.pop(key, None)
            managed.discard(key)
    env[ENABLED_KEY] = "true"
    env[MANAGED_KEYS_KEY] = ",".join(sorted(managed))
    return settings


def _other_experiment_key(key):
    return "MLFLOW_EXPERIMENT_NAME" if key == "MLFLOW_EXPERIMENT_ID" else "MLFLOW_EXPERIMENT_ID"


def disable(settings):
    """(settings without our hook and env keys, whether anything was removed)."""
    settings = json.loads(json.dumps(settings))
    removed = False
    hooks = settings.get("hooks")
    if isinstance(hooks, dict) and isinstance(hooks.get(HOOK_EVENT), list):
        kept_entries = []
        for entry in hooks[HOOK_EVENT]:
            if isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
                kept = [h for h in entry["hooks"] if not _is_our_hook(h)]
                if len(kept) != len(entry["hooks"]):
                    removed = True
                    if not kept:
                        continue
                    entry = {**entry, "hooks": kept}
            kept_entries.append(entry)
        hooks[HOOK_EVENT] = kept_entries
        if not kept_entries:
            del hooks[HOOK_EVENT]
        if not hooks:
            del settings["hooks"]
    env = settings.get("env")
    if isinstance(env, dict) and (ENABLED_KEY in env or MANAGED_KEYS_KEY in env):
        removed = True
        for key in filter(None, env.get(MANAGED_KEYS_KEY, "").split(",")):
            env.pop(key, None)
        env.pop(ENABLED_KEY, None)
        env.pop(MANAGED_KEYS_KEY, None)
        if not env:
            del settings["env"]
    return settings, removed


def status(project):
    """What is set up in a project: merged env of both settings files (local wins) and whether our hook is there."""
    env, hooked = {}, False
    for name in SETTINGS_FILES:
        data = load_settings(os.path.join(project, ".claude", name))
        env.update(data.get("env") or {})
        hooks = (data.get("hooks") or {}).get(HOOK_EVENT) or []
        hooked = hooked or any(_is_our_hook(h) for e in hooks if isinstance(e, dict) for h in e.get("hooks", []))
    return {"enabled": hooked and env.get(ENABLED_KEY) == "true", "hook": hooked,
            "tracking_uri": env.get("MLFLOW_TRACKING_URI"), "experiment_id": env.get("MLFLOW_EXPERIMENT_ID"),
            "experiment_name": env.get("MLFLOW_EXPERIMENT_NAME")}


def setup(project, tracking_uri=None, experiment_id=None, experiment_name=None, local=False, program="mlf"):
    """Write the hook and env into the project's settings; returns the settings file path."""
    if experiment_id and experiment_name:
        raise UsageError("Choose either an experiment id or an experiment name, not both.")
    if not os.path.isdir(project):
        raise UsageError(f"Directory {project!r} does not exist")
    values = {"MLFLOW_TRACKING_URI": tracking_uri, "MLFLOW_EXPERIMENT_ID": experiment_id,
              "MLFLOW_EXPERIMENT_NAME": experiment_name}
    path = os.path.join(project, ".claude", SETTINGS_FILES[1] if local else SETTINGS_FILES[0])
    updated = enable(load_settings(path), hook_command(program), {k: v for k, v in values.items() if v})
    save_settings(path, updated)
    return path


def teardown(project):
    """Remove our hook and env from both settings files; returns the files changed."""
    changed = []
    for name in SETTINGS_FILES:
        path = os.path.join(project, ".claude", name)
        if not os.path.exists(path):
            continue
        updated, removed = disable(load_settings(path))
        if removed:
            save_settings(path, updated)
            changed.append(path)
    return changed


# ---------------------------------------------------------------- the Stop hook
def _experiment_id(store, environ):
    experiment_id = environ.get("MLFLOW_EXPERIMENT_ID")
    if experiment_id:
        return experiment_id
    name = environ.get("MLFLOW_EXPERIMENT_NAME")
    if not name:
        return "0"
    experiment = store.get_experiment_by_name(name)
    return experiment.experiment_id if experiment is not None else store.create_experiment(name)


def log_session(store, transcript_path, session_id, experiment_id, user=None):
    """Build the session's trace from its transcript and store it (again); returns the trace id."""
    from runtime.autolog.claude_transcript import read_transcript, transcript_to_spans, transcript_trace_info

    trace_id, spans = transcript_to_spans(read_transcript(transcript_path), session_id)
    session = session_id or spans[0].attribute("claude_code.session_id")
    store.log_spans(experiment_id, spans)
    store.start_trace(transcript_trace_info(trace_id, experiment_id, spans, session, user))
    return trace_id


def run_stop_hook(stdin, stdout, stderr, environ):
    """The hook's whole job; never raises (a hook failure must not disturb the Claude Code session)."""
    try:
        if str(environ.get(ENABLED_KEY, "")).lower() != "true":
            return
        raw = stdin.read()
        event = json.loads(raw) if raw.strip() else {}
        transcript = event.get("transcript_path")
        if not transcript:
            raise MlfError("the hook input has no transcript_path")
        from runtime.store.factory import get_tracking_store
        from runtime.tracking_uri import resolve_tracking_uri

        store = get_tracking_store(resolve_tracking_uri(None, environ))
        try:
            trace_id = log_session(store, os.path.expanduser(transcript), event.get("session_id"),
                                   _experiment_id(store, environ), environ.get("USER") or environ.get("USERNAME"))
        finally:
            store.close()
        print(f"mlf: logged Claude Code session as trace {trace_id}", file=stderr)
    except Exception as exc:  # noqa: BLE001 - report and let the session go on
        print(f"mlf: could not trace the Claude Code session: {getattr(exc, 'message', exc)}", file=stderr)
    finally:
        stdout.write(json.dumps({"continue": True}) + "\n")


def main_stop_hook():
    run_stop_hook(sys.stdin, sys.stdout, sys.stderr, os.environ)
