"""tracking tables: experiments, runs, metrics, latest_metrics, params, tags,
experiment_tags, datasets, inputs, input_tags

Revision ID: 0001_tracking
Revises:
Create Date: 2025-11-28

A frozen copy of the schema in runtime/store/sql/models.py at this revision:
later revisions change tables with their own operations, never by editing this one.
"""

import sqlalchemy as sa
from alembic import op

from runtime.store.sql.coltypes import Double, ExactString, ExactText

revision = "0001_tracking"
down_revision = None
branch_labels = None
depends_on = None

_VALUE_INDEX_PREFIX = 200


def _is_nan_column(constraint_name):
    return sa.Column("is_nan", sa.Boolean(create_constraint=True, name=constraint_name), nullable=False)


def _stage_check(table):
    return sa.CheckConstraint("lifecycle_stage IN ('active', 'deleted')", name=f"{table}_lifecycle_stage")


def _create_key_value_index(table):
    """(key, value) index in the form each backend can hold (values reach 8000 characters)."""
    name = f"index_{table}_key_value"
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.create_index(f"{name}_prefix", table, ["key", sa.text(f"substr(value, 1, {_VALUE_INDEX_PREFIX})")])
    elif dialect in ("mysql", "mariadb"):
        op.create_index(name, table, ["key", "value"], mysql_length={"value": _VALUE_INDEX_PREFIX})
    else:
        op.create_index(name, table, ["key", "value"])


def upgrade():
    op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", ExactString(500), nullable=False),
        sa.Column("artifact_location", ExactString(2048), nullable=True),
        sa.Column("lifecycle_stage", ExactString(32), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=True),
        sa.Column("last_update_time", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("experiment_id", name="experiment_pk"),
        sa.UniqueConstraint("name", name="experiments_name_key"),
        _stage_check("experiments"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "runs",
        sa.Column("run_uuid", ExactString(32), nullable=False),
        sa.Column("name", ExactString(250), nullable=True),
        sa.Column("source_type", ExactString(20), nullable=True),
        sa.Column("source_name", ExactString(500), nullable=True),
        sa.Column("entry_point_name", ExactString(50), nullable=True),
        sa.Column("user_id", ExactString(256), nullable=True),
        sa.Column("status", ExactString(20), nullable=True),
        sa.Column("start_time", sa.BigInteger(), nullable=True),
        sa.Column("end_time", sa.BigInteger(), nullable=True),
        sa.Column("deleted_time", sa.BigInteger(), nullable=True),
        sa.Column("source_version", ExactString(50), nullable=True),
        sa.Column("lifecycle_stage", ExactString(20), nullable=True),
        sa.Column("artifact_uri", ExactString(2048), nullable=True),
        sa.Column("experiment_id", sa.Integer(), sa.ForeignKey("experiments.experiment_id"), nullable=True),
        sa.PrimaryKeyConstraint("run_uuid", name="run_pk"),
        sa.CheckConstraint(
            "status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')", name="runs_status"
        ),
        _stage_check("runs"),
    )
    op.create_index(
        "index_runs_experiment_id_lifecycle_stage_start_time",
        "runs",
        ["experiment_id", "lifecycle_stage", "start_time"],
    )
    op.create_table(
        "experiment_tags",
        sa.Column("key", ExactString(250), nullable=False),
        sa.Column("value", ExactString(8000), nullable=True),
        sa.Column("experiment_id", sa.Integer(), sa.ForeignKey("experiments.experiment_id"), nullable=False),
        sa.PrimaryKeyConstraint("key", "experiment_id", name="experiment_tag_pk"),
    )
    op.create_table(
        "tags",
        sa.Column("key", ExactString(250), nullable=False),
        sa.Column("value", ExactString(8000), nullable=True),
        sa.Column("run_uuid", ExactString(32), sa.ForeignKey("runs.run_uuid"), nullable=False),
        sa.PrimaryKeyConstraint("key", "run_uuid", name="tag_pk"),
    )
    op.create_index("index_tags_run_uuid", "tags", ["run_uuid"])
    _create_key_value_index("tags")
    op.create_table(
        "metrics",
        sa.Column("key", ExactString(250), nullable=False),
        sa.Column("value", Double(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        _is_nan_column("metrics_is_nan"),
        sa.Column("run_uuid", ExactString(32), sa.ForeignKey("runs.run_uuid"), nullable=False),
        sa.PrimaryKeyConstraint("key", "timestamp", "step", "run_uuid", "value", "is_nan", name="metric_pk"),
    )
    op.create_index("index_metrics_run_uuid_key_step", "metrics", ["run_uuid", "key", "step"])
    op.create_table(
        "latest_metrics",
        sa.Column("key", ExactString(250), nullable=False),
        sa.Column("value", Double(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=True),
        sa.Column("step", sa.BigInteger(), nullable=False),
        _is_nan_column("latest_metrics_is_nan"),
        sa.Column("run_uuid", ExactString(32), sa.ForeignKey("runs.run_uuid"), nullable=False),
        sa.PrimaryKeyConstraint("key", "run_uuid", name="latest_metric_pk"),
    )
    op.create_index("index_latest_metrics_run_uuid", "latest_metrics", ["run_uuid"])
    op.create_index("index_latest_metrics_key_value", "latest_metrics", ["key", "value"])
    op.create_table(
        "params",
        sa.Column("key", ExactString(250), nullable=False),
        sa.Column("value", ExactString(8000), nullable=False),
        sa.Column("run_uuid", ExactString(32), sa.ForeignKey("runs.run_uuid"), nullable=False),
        sa.PrimaryKeyConstraint("key", "run_uuid", name="param_pk"),
    )
    op.create_index("index_params_run_uuid", "params", ["run_uuid"])
    _create_key_value_index("params")
    op.create_table(
        "datasets",
        sa.Column("dataset_uuid", ExactString(36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), sa.ForeignKey("experiments.experiment_id"), nullable=False),
        sa.Column("name", ExactString(500), nullable=False),
        sa.Column("digest", ExactString(36), nullable=False),
        sa.Column("dataset_source_type", ExactString(36), nullable=False),
        sa.Column("dataset_source", ExactText(), nullable=False),
        sa.Column("dataset_schema", ExactText(), nullable=True),
        sa.Column("dataset_profile", ExactText(), nullable=True),
        sa.PrimaryKeyConstraint("experiment_id", "name", "digest", name="dataset_pk"),
    )
    op.create_index("index_datasets_dataset_uuid", "datasets", ["dataset_uuid"])
    op.create_index(
        "index_datasets_experiment_id_dataset_source_type", "datasets", ["experiment_id", "dataset_source_type"]
    )
    op.create_table(
        "inputs",
        sa.Column("input_uuid", ExactString(36), nullable=False),
        sa.Column("source_type", ExactString(36), nullable=False),
        sa.Column("source_id", ExactString(36), nullable=False),
        sa.Column("destination_type", ExactString(36), nullable=False),
        sa.Column("destination_id", ExactString(36), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("source_type", "source_id", "destination_type", "destination_id", name="inputs_pk"),
        sa.UniqueConstraint("input_uuid", name="inputs_input_uuid_key"),
    )
    op.create_index(
        "index_inputs_destination_type_destination_id_source_type",
        "inputs",
        ["destination_type", "destination_id", "source_type"],
    )
    op.create_table(
        "input_tags",
        sa.Column("input_uuid", ExactString(36), sa.ForeignKey("inputs.input_uuid"), nullable=False),
        sa.Column("name", ExactString(255), nullable=False),
        sa.Column("value", ExactString(500), nullable=False),
        sa.PrimaryKeyConstraint("input_uuid", "name", name="input_tags_pk"),
    )


def downgrade():
    for table in (
        "input_tags",
        "inputs",
        "datasets",
        "params",
        "latest_metrics",
        "metrics",
        "tags",
        "experiment_tags",
        "runs",
        "experiments",
    ):
        op.drop_table(table)
