"""Handlers of `mlf autolog claude` and its Stop hook."""

import os

from runtime.cli.output import Record
from runtime.errors import UsageError


def claude(*, directory, tracking_uri, experiment_id, experiment_name, disable, status, local, non_interactive,
           mlflow_cmd, directory_argument, ctx):
    from runtime.autolog import claude as setup

    if directory_argument and ctx.given("directory") and os.path.abspath(directory_argument) != os.path.abspath(
            directory):
        raise UsageError("Give the project folder once: as DIRECTORY or with --directory, not both.")
    project = os.path.abspath(directory_argument or directory)
    if local and (status or disable):
        raise UsageError("--local can only be used during setup, not with --status or --disable")
    if mlflow_cmd is not None and not mlflow_cmd.strip():
        raise UsageError("--mlflow-cmd must not be empty")
    if status:
        state = setup.status(project)
        fields = [("Project", project), ("Tracing", "enabled" if state["enabled"] else "not enabled"),
                  ("Tracking URI", state["tracking_uri"] or "(MLFLOW_TRACKING_URI, else ./mlruns)"),
                  ("Experiment", state["experiment_id"] or state["experiment_name"] or "(default, 0)")]
        return Record(fields, {"project": project, **state})
    if disable:
        changed = setup.teardown(project)
        if not changed:
            return "No Claude Code tracing set up by mlf was found in " + project
        return "\n".join(f"Claude Code tracing disabled in {path}" for path in changed)
    # Like mlflow: what the options leave out comes from the environment at set-up time.
    tracking_uri = tracking_uri or ctx.environ.get("MLFLOW_TRACKING_URI") or None
    if not experiment_id and not experiment_name:
        experiment_id = ctx.environ.get("MLFLOW_EXPERIMENT_ID") or None
        experiment_name = None if experiment_id else ctx.environ.get("MLFLOW_EXPERIMENT_NAME") or None
    path = setup.setup(project, tracking_uri, experiment_id, experiment_name, local, (mlflow_cmd or "mlf").strip())
    where = tracking_uri or "./mlruns (relative to the project)"
    return (f"Claude Code tracing set up in {path}\n"
            f"Sessions become traces in {where}, experiment {experiment_id or experiment_name or '0'}.\n"
            "Run `claude` in the project as usual.")


def stop_hook(*, ctx):
    import sys

    from runtime.autolog.claude import run_stop_hook

    run_stop_hook(sys.stdin, ctx.stdout, ctx.stderr, ctx.environ)
