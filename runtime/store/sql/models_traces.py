"""ORM classes of the trace tables, on the shared Base.

Table and column names follow MLflow's SQL store (trace_info keyed by
request_id, trace_tags, trace_request_metadata, assessments, spans, scorers,
scorer_versions). Links between traces and runs live in trace_run_links
rather than MLflow's generic entity_associations, so foreign keys can cascade:
hard-deleting an experiment, a run or a trace takes its rows along. The schema
is created by migrations/versions/0003_traces.py, which mirrors this file.
"""

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from runtime.store.sql.coltypes import ExactString, ExactText
from runtime.store.sql.models import Base

_CASCADE = {"ondelete": "CASCADE"}


class SqlTraceInfo(Base):
    __tablename__ = "trace_info"

    request_id: Mapped[str] = mapped_column(ExactString(50), nullable=False)
    experiment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("experiments.experiment_id", name="fk_trace_info_experiment_id", **_CASCADE),
        nullable=False)
    timestamp_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    execution_time_ms: Mapped[int] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(ExactString(50), nullable=False)
    client_request_id: Mapped[str] = mapped_column(ExactString(250), nullable=True)
    request_preview: Mapped[str] = mapped_column(ExactText(), nullable=True)
    response_preview: Mapped[str] = mapped_column(ExactText(), nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint("request_id", name="trace_info_pk"),
        Index("index_trace_info_experiment_id_timestamp_ms", "experiment_id", "timestamp_ms"),
    )


class SqlTraceTag(Base):
    __tablename__ = "trace_tags"

    key: Mapped[str] = mapped_column(ExactString(250), nullable=False)
    value: Mapped[str] = mapped_column(ExactString(8000), nullable=True)
    request_id: Mapped[str] = mapped_column(
        ExactString(50), ForeignKey("trace_info.request_id", name="fk_trace_tags_request_id", **_CASCADE),
        nullable=False)

    __table_args__ = (PrimaryKeyConstraint("request_id", "key", name="trace_tag_pk"),)


class SqlTraceMetadata(Base):
    __tablename__ = "trace_request_metadata"

    key: Mapped[str] = mapped_column(ExactString(250), nullable=False)
    value: Mapped[str] = mapped_column(ExactString(8000), nullable=True)
    request_id: Mapped[str] = mapped_column(
        ExactString(50), ForeignKey("trace_info.request_id", name="fk_trace_request_metadata_request_id", **_CASCADE),
        nullable=False)

    __table_args__ = (PrimaryKeyConstraint("request_id", "key", name="trace_request_metadata_pk"),)


class SqlAssessment(Base):
    """One feedback or expectation; value, error and metadata are JSON text."""

    __tablename__ = "assessments"

    assessment_id: Mapped[str] = mapped_column(ExactString(50), nullable=False)
    trace_id: Mapped[str] = mapped_column(
        ExactString(50), ForeignKey("trace_info.request_id", name="fk_assessments_trace_id", **_CASCADE),
        nullable=False)
    name: Mapped[str] = mapped_column(ExactString(250), nullable=False)
    assessment_type: Mapped[str] = mapped_column(ExactString(20), nullable=False)
    value: Mapped[str] = mapped_column(ExactText(), nullable=True)
    error: Mapped[str] = mapped_column(ExactText(), nullable=True)
    created_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_updated_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    source_type: Mapped[str] = mapped_column(ExactString(50), nullable=False)
    source_id: Mapped[str] = mapped_column(ExactString(250), nullable=True)
    span_id: Mapped[str] = mapped_column(ExactString(50), nullable=True)
    rationale: Mapped[str] = mapped_column(ExactText(), nullable=True)
    overrides: Mapped[str] = mapped_column(ExactString(50), nullable=True)
    valid: Mapped[bool] = mapped_column(Boolean(create_constraint=True, name="assessments_valid"), nullable=False)
    assessment_metadata: Mapped[str] = mapped_column(ExactText(), nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint("assessment_id", name="assessments_pk"),
        Index("index_assessments_trace_id_created_timestamp", "trace_id", "created_timestamp"),
    )


class SqlSpan(Base):
    """One span; content is the span's JSON in MLflow's traces.json form."""

    __tablename__ = "spans"

    trace_id: Mapped[str] = mapped_column(
        ExactString(50), ForeignKey("trace_info.request_id", name="fk_spans_trace_id", **_CASCADE), nullable=False)
    experiment_id: Mapped[int] = mapped_column(Integer, nullable=False)
    span_id: Mapped[str] = mapped_column(ExactString(50), nullable=False)
    parent_span_id: Mapped[str] = mapped_column(ExactString(50), nullable=True)
    name: Mapped[str] = mapped_column(ExactText(), nullable=True)
    type: Mapped[str] = mapped_column(ExactString(500), nullable=True)
    status: Mapped[str] = mapped_column(ExactString(50), nullable=False)
    start_time_unix_nano: Mapped[int] = mapped_column(BigInteger, nullable=False)
    end_time_unix_nano: Mapped[int] = mapped_column(BigInteger, nullable=True)
    content: Mapped[str] = mapped_column(ExactText(), nullable=False)

    __table_args__ = (PrimaryKeyConstraint("trace_id", "span_id", name="spans_pk"),)


class SqlTraceRunLink(Base):
    __tablename__ = "trace_run_links"

    request_id: Mapped[str] = mapped_column(
        ExactString(50), ForeignKey("trace_info.request_id", name="fk_trace_run_links_request_id", **_CASCADE),
        nullable=False)
    run_uuid: Mapped[str] = mapped_column(
        ExactString(32), ForeignKey("runs.run_uuid", name="fk_trace_run_links_run_uuid", **_CASCADE), nullable=False)
    created_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint("request_id", "run_uuid", name="trace_run_links_pk"),
        Index("index_trace_run_links_run_uuid", "run_uuid"),
    )


class SqlScorer(Base):
    __tablename__ = "scorers"

    scorer_id: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    experiment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("experiments.experiment_id", name="fk_scorers_experiment_id", **_CASCADE), nullable=False)
    scorer_name: Mapped[str] = mapped_column(ExactString(256), nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint("scorer_id", name="scorer_pk"),
        UniqueConstraint("experiment_id", "scorer_name", name="scorers_experiment_id_scorer_name_key"),
    )


class SqlScorerVersion(Base):
    __tablename__ = "scorer_versions"

    scorer_id: Mapped[str] = mapped_column(
        ExactString(36), ForeignKey("scorers.scorer_id", name="fk_scorer_versions_scorer_id", **_CASCADE),
        nullable=False)
    scorer_version: Mapped[int] = mapped_column(Integer, nullable=False)
    serialized_scorer: Mapped[str] = mapped_column(ExactText(), nullable=False)
    creation_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (PrimaryKeyConstraint("scorer_id", "scorer_version", name="scorer_version_pk"),)
