"""A database as an earlier mlf release (revision 0003_traces) made and filled it, for the upgrade tests.

The schema comes from that release's frozen migrations (legacy_mlf/); the rows are
written with plain SQL, one of each kind that release stored.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config

from runtime.store.sql.engine import create_engine

LEGACY_MIGRATIONS = Path(__file__).resolve().parent / "legacy_mlf"
RUN_ID = "a" * 32
TRACE_ID = "tr-" + "b" * 32
MODEL_ID = "m-" + "c" * 32

_ROWS = [
    ("experiments", {"experiment_id": 0, "name": "Default", "artifact_location": "/art/0", "lifecycle_stage": "active",
                     "creation_time": 1, "last_update_time": 1}),
    ("experiments", {"experiment_id": 7, "name": "legacy", "artifact_location": "/art/7", "lifecycle_stage": "active",
                     "creation_time": 2, "last_update_time": 2}),
    ("experiment_tags", {"key": "team", "value": "old", "experiment_id": 7}),
    ("runs", {"run_uuid": RUN_ID, "name": "legacy-run", "source_type": "LOCAL", "user_id": "u", "status": "FINISHED",
              "start_time": 10, "end_time": 20, "lifecycle_stage": "active", "artifact_uri": "/art/7/r",
              "experiment_id": 7}),
    ("params", {"key": "alpha", "value": "0.5", "run_uuid": RUN_ID}),
    ("tags", {"key": "note", "value": "kept", "run_uuid": RUN_ID}),
    ("metrics", {"key": "loss", "value": 0.5, "timestamp": 11, "step": 0, "is_nan": False, "run_uuid": RUN_ID}),
    ("metrics", {"key": "loss", "value": 0.25, "timestamp": 12, "step": 1, "is_nan": False, "run_uuid": RUN_ID}),
    ("metrics", {"key": "loss", "value": 0.0, "timestamp": 13, "step": 2, "is_nan": True, "run_uuid": RUN_ID}),
    ("latest_metrics", {"key": "loss", "value": 0.0, "timestamp": 13, "step": 2, "is_nan": True, "run_uuid": RUN_ID}),
    ("logged_models", {"model_id": MODEL_ID, "experiment_id": 7, "name": "lm", "artifact_location": "/art/7/m",
                       "creation_timestamp_ms": 5, "last_updated_timestamp_ms": 5, "status": 2,
                       "lifecycle_stage": "active", "source_run_id": RUN_ID}),
    ("logged_model_params", {"model_id": MODEL_ID, "experiment_id": 7, "param_key": "depth", "param_value": "3"}),
    ("registered_models", {"name": "legacy-model", "creation_time": 3, "last_updated_time": 3, "description": "d"}),
    ("registered_model_tags", {"key": "owner", "value": "me", "name": "legacy-model"}),
    ("model_versions", {"name": "legacy-model", "version": 1, "creation_time": 4, "last_updated_time": 4,
                        "current_stage": "None", "source": f"models:/{MODEL_ID}", "run_id": RUN_ID,
                        "status": "READY", "storage_location": "/art/7/m", "model_id": MODEL_ID}),
    ("model_version_tags", {"key": "v", "value": "1", "name": "legacy-model", "version": 1}),
    ("registered_model_aliases", {"alias": "champion", "version": 1, "name": "legacy-model"}),
    ("trace_info", {"request_id": TRACE_ID, "experiment_id": 7, "timestamp_ms": 30, "execution_time_ms": 5,
                    "status": "OK", "request_preview": "q", "response_preview": "a"}),
    ("trace_tags", {"key": "checked", "value": "yes", "request_id": TRACE_ID}),
    ("trace_request_metadata", {"key": "mlflow.trace_schema.version", "value": "3", "request_id": TRACE_ID}),
    ("trace_run_links", {"request_id": TRACE_ID, "run_uuid": RUN_ID, "created_time": 31}),
    ("assessments", {"assessment_id": "a-1", "trace_id": TRACE_ID, "name": "quality", "assessment_type": "feedback",
                     "value": "true", "created_timestamp": 32, "last_updated_timestamp": 32,
                     "source_type": "HUMAN", "source_id": "me", "rationale": "fine", "valid": True}),
]


def make_legacy_database(url):
    """Create the 0003_traces schema at url and fill it with _ROWS."""
    import sqlalchemy

    config = Config()
    config.set_main_option("script_location", str(LEGACY_MIGRATIONS))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        metadata = sqlalchemy.MetaData()
        metadata.reflect(engine)
        with engine.begin() as connection:
            if connection.dialect.name in ("mysql", "mariadb"):
                connection.exec_driver_sql("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')")
            for table, row in _ROWS:
                connection.execute(metadata.tables[table].insert().values(**row))
    finally:
        engine.dispose()


def row_counts():
    """table -> how many rows make_legacy_database wrote there."""
    counts = {}
    for table, _ in _ROWS:
        counts[table] = counts.get(table, 0) + 1
    return counts
