"""The registry tables' foreign keys cascade as the stores rely on (SQLite, PostgreSQL, MariaDB).

The schema itself is checked against mlflow's in tests/sql_compat.
"""

import pytest


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db_uri(request, tmp_path, server_database):
    from tests.support.databases import empty_all_tables

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'schema.db'}"
    url = server_database(request.param)
    empty_all_tables(url)
    return url


def test_deleting_a_run_row_removes_its_model_metrics(db_uri, tmp_path):
    """The tracking store's hard delete of a run knows nothing of model metrics: the FK cascades."""
    from runtime.entities import Metric
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(db_uri, str(tmp_path / "art"))
    try:
        experiment_id = store.create_experiment("cascade")
        run_id = store.create_run(experiment_id, user_id="u", start_time=1, tags={}, run_name="r").info.run_id
        model = store.create_logged_model(experiment_id, source_run_id=run_id)
        store.record_logged_model_metrics(run_id, [Metric("acc", 1.0, 1, 0, model_id=model.model_id)])
        store.delete_run(run_id)
        store.hard_delete_run(run_id)
        assert store.get_logged_model(model.model_id).metrics == []
    finally:
        store.close()
