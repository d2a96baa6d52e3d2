"""model registry and logged models: registered_models, model_versions, registered_model_tags,
model_version_tags, registered_model_aliases, logged_models, logged_model_tags,
logged_model_params, logged_model_metrics

Revision ID: 0002_registry
Revises: 0001_tracking
Create Date: 2025-11-28

A frozen copy of runtime/store/sql/models_registry.py at this revision.
"""

import sqlalchemy as sa
from alembic import op

from runtime.store.sql.coltypes import Double, ExactString, ExactText

revision = "0002_registry"
down_revision = "0001_tracking"
branch_labels = None
depends_on = None

_CASCADE = {"ondelete": "CASCADE", "onupdate": "CASCADE"}


def _fk(target, name, **actions):
    return sa.ForeignKey(target, name=name, **actions)


def upgrade():
    op.create_table(
        "registered_models",
        sa.Column("name", ExactString(256), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=True),
        sa.Column("last_updated_time", sa.BigInteger(), nullable=True),
        sa.Column("description", ExactText(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="registered_model_pk"),
    )
    op.create_table(
        "model_versions",
        sa.Column("name", ExactString(256), _fk("registered_models.name", "fk_model_versions_registered_models", **_CASCADE),
                  nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=True),
        sa.Column("last_updated_time", sa.BigInteger(), nullable=True),
        sa.Column("description", ExactText(), nullable=True),
        sa.Column("user_id", ExactString(256), nullable=True),
        sa.Column("current_stage", ExactString(20), nullable=True),
        sa.Column("source", ExactText(), nullable=True),
        sa.Column("run_id", ExactString(32), nullable=True),
        sa.Column("status", ExactString(20), nullable=True),
        sa.Column("status_message", ExactString(500), nullable=True),
        sa.Column("run_link", ExactText(), nullable=True),
        sa.Column("storage_location", ExactText(), nullable=True),
        sa.Column("model_id", ExactString(36), nullable=True),
        sa.PrimaryKeyConstraint("name", "version", name="model_version_pk"),
    )
    op.create_index("index_model_versions_run_id", "model_versions", ["run_id"])
    op.create_table(
        "registered_model_tags",
        sa.Column("key", ExactString(250), nullable=False),
        sa.Column("value", ExactText(), nullable=True),
        sa.Column("name", ExactString(256),
                  _fk("registered_models.name", "fk_registered_model_tags_registered_models", **_CASCADE), nullable=False),
        sa.PrimaryKeyConstraint("key", "name", name="registered_model_tag_pk"),
    )
    op.create_table(
        "model_version_tags",
        sa.Column("key", ExactString(250), nullable=False),
        sa.Column("value", ExactText(), nullable=True),
        sa.Column("name", ExactString(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "name", "version", name="model_version_tag_pk"),
        sa.ForeignKeyConstraint(
            ("name", "version"), ("model_versions.name", "model_versions.version"),
            name="fk_model_version_tags_model_versions", **_CASCADE,
        ),
    )
    op.create_table(
        "registered_model_aliases",
        sa.Column("alias", ExactString(256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", ExactString(256), _fk("registered_models.name", "registered_model_alias_name_fkey", **_CASCADE),
                  nullable=False),
        sa.PrimaryKeyConstraint("name", "alias", name="registered_model_alias_pk"),
    )
    op.create_table(
        "logged_models",
        sa.Column("model_id", ExactString(36), nullable=False),
        sa.Column("experiment_id", sa.Integer(),
                  _fk("experiments.experiment_id", "fk_logged_models_experiment_id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", ExactString(500), nullable=False),
        sa.Column("artifact_location", ExactString(2048), nullable=False),
        sa.Column("creation_timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("lifecycle_stage", ExactString(32), nullable=True),
        sa.Column("model_type", ExactString(500), nullable=True),
        sa.Column("source_run_id", ExactString(32), nullable=True),
        sa.Column("status_message", ExactString(1000), nullable=True),
        sa.PrimaryKeyConstraint("model_id", name="logged_models_pk"),
        sa.CheckConstraint("lifecycle_stage IN ('active', 'deleted')", name="logged_models_lifecycle_stage_check"),
    )
    op.create_index(
        "index_logged_models_experiment_id_creation", "logged_models", ["experiment_id", "creation_timestamp_ms"]
    )
    op.create_table(
        "logged_model_metrics",
        sa.Column("model_id", ExactString(36),
                  _fk("logged_models.model_id", "fk_logged_model_metrics_model_id", ondelete="CASCADE"), nullable=False),
        sa.Column("metric_name", ExactString(500), nullable=False),
        sa.Column("metric_timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("metric_step", sa.BigInteger(), nullable=False),
        sa.Column("metric_value", Double(), nullable=True),
        sa.Column("experiment_id", sa.Integer(),
                  _fk("experiments.experiment_id", "fk_logged_model_metrics_experiment_id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("run_id", ExactString(32),
                  _fk("runs.run_uuid", "fk_logged_model_metrics_run_id", ondelete="CASCADE"), nullable=False),
        sa.Column("dataset_uuid", ExactString(36), nullable=True),
        sa.Column("dataset_name", ExactString(500), nullable=True),
        sa.Column("dataset_digest", ExactString(36), nullable=True),
        sa.PrimaryKeyConstraint(
            "model_id", "metric_name", "metric_timestamp_ms", "metric_step", "run_id", name="logged_model_metrics_pk"
        ),
    )
    op.create_index("index_logged_model_metrics_model_id", "logged_model_metrics", ["model_id"])
    for table, key, value in (("logged_model_params", "param_key", "param_value"),
                              ("logged_model_tags", "tag_key", "tag_value")):
        op.create_table(
            table,
            sa.Column("model_id", ExactString(36),
                      _fk("logged_models.model_id", f"fk_{table}_model_id", ondelete="CASCADE"), nullable=False),
            sa.Column("experiment_id", sa.Integer(),
                      _fk("experiments.experiment_id", f"fk_{table}_experiment_id", ondelete="CASCADE"), nullable=False),
            sa.Column(key, ExactString(255), nullable=False),
            sa.Column(value, ExactText(), nullable=False),
            sa.PrimaryKeyConstraint("model_id", key, name=f"{table}_pk"),
        )


def downgrade():
    for table in (
        "logged_model_tags",
        "logged_model_params",
        "logged_model_metrics",
        "logged_models",
        "registered_model_aliases",
        "model_version_tags",
        "registered_model_tags",
        "model_versions",
        "registered_models",
    ):
        op.drop_table(table)
