"""traces: trace_info, trace_tags, trace_request_metadata, assessments, spans, trace_run_links,
scorers, scorer_versions

Revision ID: 0003_traces
Revises: 0002_registry
Create Date: 2025-11-28

A frozen copy of runtime/store/sql/models_traces.py at this revision.
"""

import sqlalchemy as sa
from alembic import op

from runtime.store.sql.coltypes import ExactString, ExactText

revision = "0003_traces"
down_revision = "0002_registry"
branch_labels = None
depends_on = None


def _fk(target, name):
    return sa.ForeignKey(target, name=name, ondelete="CASCADE")


def _trace_fk(table, column="request_id"):
    return sa.Column(column, ExactString(50), _fk("trace_info.request_id", f"fk_{table}_{column}"), nullable=False)


def upgrade():
    op.create_table(
        "trace_info",
        sa.Column("request_id", ExactString(50), nullable=False),
        sa.Column("experiment_id", sa.Integer(), _fk("experiments.experiment_id", "fk_trace_info_experiment_id"),
                  nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("execution_time_ms", sa.BigInteger(), nullable=True),
        sa.Column("status", ExactString(50), nullable=False),
        sa.Column("client_request_id", ExactString(250), nullable=True),
        sa.Column("request_preview", ExactText(), nullable=True),
        sa.Column("response_preview", ExactText(), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="trace_info_pk"),
    )
    op.create_index("index_trace_info_experiment_id_timestamp_ms", "trace_info", ["experiment_id", "timestamp_ms"])
    for table, pk in (("trace_tags", "trace_tag_pk"), ("trace_request_metadata", "trace_request_metadata_pk")):
        op.create_table(
            table,
            sa.Column("key", ExactString(250), nullable=False),
            sa.Column("value", ExactString(8000), nullable=True),
            _trace_fk(table),
            sa.PrimaryKeyConstraint("request_id", "key", name=pk),
        )
    op.create_table(
        "assessments",
        sa.Column("assessment_id", ExactString(50), nullable=False),
        _trace_fk("assessments", "trace_id"),
        sa.Column("name", ExactString(250), nullable=False),
        sa.Column("assessment_type", ExactString(20), nullable=False),
        sa.Column("value", ExactText(), nullable=True),
        sa.Column("error", ExactText(), nullable=True),
        sa.Column("created_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("source_type", ExactString(50), nullable=False),
        sa.Column("source_id", ExactString(250), nullable=True),
        sa.Column("span_id", ExactString(50), nullable=True),
        sa.Column("rationale", ExactText(), nullable=True),
        sa.Column("overrides", ExactString(50), nullable=True),
        sa.Column("valid", sa.Boolean(create_constraint=True, name="assessments_valid"), nullable=False),
        sa.Column("assessment_metadata", ExactText(), nullable=True),
        sa.PrimaryKeyConstraint("assessment_id", name="assessments_pk"),
    )
    op.create_index("index_assessments_trace_id_created_timestamp", "assessments", ["trace_id", "created_timestamp"])
    op.create_table(
        "spans",
        _trace_fk("spans", "trace_id"),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("span_id", ExactString(50), nullable=False),
        sa.Column("parent_span_id", ExactString(50), nullable=True),
        sa.Column("name", ExactText(), nullable=True),
        sa.Column("type", ExactString(500), nullable=True),
        sa.Column("status", ExactString(50), nullable=False),
        sa.Column("start_time_unix_nano", sa.BigInteger(), nullable=False),
        sa.Column("end_time_unix_nano", sa.BigInteger(), nullable=True),
        sa.Column("content", ExactText(), nullable=False),
        sa.PrimaryKeyConstraint("trace_id", "span_id", name="spans_pk"),
    )
    op.create_table(
        "trace_run_links",
        _trace_fk("trace_run_links"),
        sa.Column("run_uuid", ExactString(32), _fk("runs.run_uuid", "fk_trace_run_links_run_uuid"), nullable=False),
        sa.Column("created_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "run_uuid", name="trace_run_links_pk"),
    )
    op.create_index("index_trace_run_links_run_uuid", "trace_run_links", ["run_uuid"])
    op.create_table(
        "scorers",
        sa.Column("scorer_id", ExactString(36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), _fk("experiments.experiment_id", "fk_scorers_experiment_id"),
                  nullable=False),
        sa.Column("scorer_name", ExactString(256), nullable=False),
        sa.PrimaryKeyConstraint("scorer_id", name="scorer_pk"),
        sa.UniqueConstraint("experiment_id", "scorer_name", name="scorers_experiment_id_scorer_name_key"),
    )
    op.create_table(
        "scorer_versions",
        sa.Column("scorer_id", ExactString(36), _fk("scorers.scorer_id", "fk_scorer_versions_scorer_id"),
                  nullable=False),
        sa.Column("scorer_version", sa.Integer(), nullable=False),
        sa.Column("serialized_scorer", ExactText(), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scorer_id", "scorer_version", name="scorer_version_pk"),
    )


def downgrade():
    for table in ("scorer_versions", "scorers", "trace_run_links", "spans", "assessments", "trace_request_metadata",
                  "trace_tags", "trace_info"):
        op.drop_table(table)
