"""Shared helpers of the file-store tests."""

import yaml


def read_yaml(path):
    """A meta.yaml as MLflow reads it (PyYAML)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def mlflow_dump(data):
    """A mapping as MLflow's file store dumps it."""
    return yaml.safe_dump(data, default_flow_style=False, allow_unicode=True)


def new_run(store, experiment_id="0", name="r", start=1000, tags=None):
    return store.create_run(experiment_id, user_id="alice", start_time=start, tags=tags or {}, run_name=name)


def leftover_temp_files(root):
    """Temp files or folders the store's atomic writes may have left behind."""
    return [p for p in root.rglob("*") if p.name.startswith(".mlf~")]
