"""ORM classes of the model registry and logged-model tables, on the shared Base.

Table and column names follow MLflow's SQL store (without its workspace
column; model_versions also keeps model_id). Long free text (descriptions,
sources, tag values) is unbounded text rather than MLflow's VARCHAR(500/5000),
so a value the validators accept always fits. Foreign keys cascade on delete,
so the tracking store's hard deletes of runs and experiments take their logged
models along without knowing these tables. The schema itself is created by
migrations/versions/0002_registry.py, which mirrors this file.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from runtime.store.sql.coltypes import Double, ExactString, ExactText
from runtime.store.sql.models import LIFECYCLE_STAGES, Base

_CASCADE = {"ondelete": "CASCADE", "onupdate": "CASCADE"}


class SqlRegisteredModel(Base):
    __tablename__ = "registered_models"

    name: Mapped[str] = mapped_column(ExactString(256), nullable=False)
    creation_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    last_updated_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    description: Mapped[str] = mapped_column(ExactText(), nullable=True)

    __table_args__ = (PrimaryKeyConstraint("name", name="registered_model_pk"),)


class SqlModelVersion(Base):
    __tablename__ = "model_versions"

    name: Mapped[str] = mapped_column(
        ExactString(256),
        ForeignKey("registered_models.name", name="fk_model_versions_registered_models", **_CASCADE),
        nullable=False,
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    creation_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    last_updated_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    description: Mapped[str] = mapped_column(ExactText(), nullable=True)
    user_id: Mapped[str] = mapped_column(ExactString(256), nullable=True)
    current_stage: Mapped[str] = mapped_column(ExactString(20), nullable=True)
    source: Mapped[str] = mapped_column(ExactText(), nullable=True)
    run_id: Mapped[str] = mapped_column(ExactString(32), nullable=True)
    status: Mapped[str] = mapped_column(ExactString(20), nullable=True)
    status_message: Mapped[str] = mapped_column(ExactString(500), nullable=True)
    run_link: Mapped[str] = mapped_column(ExactText(), nullable=True)
    storage_location: Mapped[str] = mapped_column(ExactText(), nullable=True)
    model_id: Mapped[str] = mapped_column(ExactString(36), nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint("name", "version", name="model_version_pk"),
        Index("index_model_versions_run_id", "run_id"),
    )


class SqlRegisteredModelTag(Base):
    __tablename__ = "registered_model_tags"

    key: Mapped[str] = mapped_column(ExactString(250), nullable=False)
    value: Mapped[str] = mapped_column(ExactText(), nullable=True)
    name: Mapped[str] = mapped_column(
        ExactString(256),
        ForeignKey("registered_models.name", name="fk_registered_model_tags_registered_models", **_CASCADE),
        nullable=False,
    )

    __table_args__ = (PrimaryKeyConstraint("key", "name", name="registered_model_tag_pk"),)


class SqlModelVersionTag(Base):
    __tablename__ = "model_version_tags"

    key: Mapped[str] = mapped_column(ExactString(250), nullable=False)
    value: Mapped[str] = mapped_column(ExactText(), nullable=True)
    name: Mapped[str] = mapped_column(ExactString(256), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint("key", "name", "version", name="model_version_tag_pk"),
        ForeignKeyConstraint(
            ("name", "version"), ("model_versions.name", "model_versions.version"),
            name="fk_model_version_tags_model_versions", **_CASCADE,
        ),
    )


class SqlRegisteredModelAlias(Base):
    __tablename__ = "registered_model_aliases"

    alias: Mapped[str] = mapped_column(ExactString(256), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(
        ExactString(256),
        ForeignKey("registered_models.name", name="registered_model_alias_name_fkey", **_CASCADE),
        nullable=False,
    )

    __table_args__ = (PrimaryKeyConstraint("name", "alias", name="registered_model_alias_pk"),)


class SqlLoggedModel(Base):
    __tablename__ = "logged_models"

    model_id: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    experiment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("experiments.experiment_id", name="fk_logged_models_experiment_id", ondelete="CASCADE"),
        nullable=False,
    )
    name: Mapped[str] = mapped_column(ExactString(500), nullable=False)
    artifact_location: Mapped[str] = mapped_column(ExactString(2048), nullable=False)
    creation_timestamp_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_updated_timestamp_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    lifecycle_stage: Mapped[str] = mapped_column(ExactString(32), default="active", nullable=True)
    model_type: Mapped[str] = mapped_column(ExactString(500), nullable=True)
    source_run_id: Mapped[str] = mapped_column(ExactString(32), nullable=True)
    status_message: Mapped[str] = mapped_column(ExactString(1000), nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint("model_id", name="logged_models_pk"),
        CheckConstraint(lifecycle_stage.in_(LIFECYCLE_STAGES), name="logged_models_lifecycle_stage_check"),
        Index("index_logged_models_experiment_id_creation", "experiment_id", "creation_timestamp_ms"),
    )


def _model_fk(table):
    return ForeignKey("logged_models.model_id", name=f"fk_{table}_model_id", ondelete="CASCADE")


def _experiment_fk(table):
    return ForeignKey("experiments.experiment_id", name=f"fk_{table}_experiment_id", ondelete="CASCADE")


class SqlLoggedModelMetric(Base):
    """Every metric point logged against a model; NaN is stored as NULL, +/-inf as +/-max double."""

    __tablename__ = "logged_model_metrics"

    model_id: Mapped[str] = mapped_column(ExactString(36), _model_fk("logged_model_metrics"), nullable=False)
    metric_name: Mapped[str] = mapped_column(ExactString(500), nullable=False)
    metric_timestamp_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    metric_step: Mapped[int] = mapped_column(BigInteger, nullable=False)
    metric_value: Mapped[float] = mapped_column(Double(), nullable=True)
    experiment_id: Mapped[int] = mapped_column(Integer, _experiment_fk("logged_model_metrics"), nullable=False)
    run_id: Mapped[str] = mapped_column(
        ExactString(32), ForeignKey("runs.run_uuid", name="fk_logged_model_metrics_run_id", ondelete="CASCADE"),
        nullable=False,
    )
    dataset_uuid: Mapped[str] = mapped_column(ExactString(36), nullable=True)
    dataset_name: Mapped[str] = mapped_column(ExactString(500), nullable=True)
    dataset_digest: Mapped[str] = mapped_column(ExactString(36), nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint(
            "model_id", "metric_name", "metric_timestamp_ms", "metric_step", "run_id", name="logged_model_metrics_pk"
        ),
        Index("index_logged_model_metrics_model_id", "model_id"),
    )


class SqlLoggedModelParam(Base):
    __tablename__ = "logged_model_params"

    model_id: Mapped[str] = mapped_column(ExactString(36), _model_fk("logged_model_params"), nullable=False)
    experiment_id: Mapped[int] = mapped_column(Integer, _experiment_fk("logged_model_params"), nullable=False)
    param_key: Mapped[str] = mapped_column(ExactString(255), nullable=False)
    param_value: Mapped[str] = mapped_column(ExactText(), nullable=False)

    __table_args__ = (PrimaryKeyConstraint("model_id", "param_key", name="logged_model_params_pk"),)


class SqlLoggedModelTag(Base):
    __tablename__ = "logged_model_tags"

    model_id: Mapped[str] = mapped_column(ExactString(36), _model_fk("logged_model_tags"), nullable=False)
    experiment_id: Mapped[int] = mapped_column(Integer, _experiment_fk("logged_model_tags"), nullable=False)
    tag_key: Mapped[str] = mapped_column(ExactString(255), nullable=False)
    tag_value: Mapped[str] = mapped_column(ExactText(), nullable=False)

    __table_args__ = (PrimaryKeyConstraint("model_id", "tag_key", name="logged_model_tags_pk"),)
