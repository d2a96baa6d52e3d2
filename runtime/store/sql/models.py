"""ORM classes of the tracking tables, on the one declarative Base every area shares.

Table and column names follow MLflow's SQL store, so a database written by one
can be read by the other. Other areas put their classes in models_registry.py /
models_traces.py on the same Base. The schema itself is created by the alembic
migrations (migrations/versions/0001_tracking.py mirrors this file).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from runtime.store.sql.coltypes import Double, ExactString, ExactText

# A (key, value) index cannot hold whole 8000-character values everywhere: MySQL
# indexes a prefix of the value, PostgreSQL an expression over its first characters.
VALUE_INDEX_PREFIX = 200
_EXACT_VALUE_INDEX_DIALECTS = ("sqlite", "mysql", "mariadb")

LIFECYCLE_STAGES = ("active", "deleted")
RUN_STATUSES = ("SCHEDULED", "FAILED", "FINISHED", "RUNNING", "KILLED")


class Base(DeclarativeBase):
    """The declarative base of every mlf table."""


class SqlExperiment(Base):
    __tablename__ = "experiments"

    experiment_id: Mapped[int] = mapped_column(Integer, autoincrement=True)
    name: Mapped[str] = mapped_column(ExactString(500), nullable=False)
    artifact_location: Mapped[str] = mapped_column(ExactString(2048), nullable=True)
    lifecycle_stage: Mapped[str] = mapped_column(ExactString(32), default="active")
    creation_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    last_update_time: Mapped[int] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint("experiment_id", name="experiment_pk"),
        UniqueConstraint("name", name="experiments_name_key"),
        CheckConstraint(lifecycle_stage.in_(LIFECYCLE_STAGES), name="experiments_lifecycle_stage"),
        # Never hand out a hard-deleted experiment's id (and artifact folder) again.
        {"sqlite_autoincrement": True},
    )


class SqlRun(Base):
    __tablename__ = "runs"

    run_uuid: Mapped[str] = mapped_column(ExactString(32), nullable=False)
    name: Mapped[str] = mapped_column(ExactString(250), nullable=True)
    source_type: Mapped[str] = mapped_column(ExactString(20), default="LOCAL", nullable=True)
    source_name: Mapped[str] = mapped_column(ExactString(500), nullable=True)
    entry_point_name: Mapped[str] = mapped_column(ExactString(50), nullable=True)
    user_id: Mapped[str] = mapped_column(ExactString(256), nullable=True)
    status: Mapped[str] = mapped_column(ExactString(20), default="RUNNING", nullable=True)
    start_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    end_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    deleted_time: Mapped[int] = mapped_column(BigInteger, nullable=True)
    source_version: Mapped[str] = mapped_column(ExactString(50), nullable=True)
    lifecycle_stage: Mapped[str] = mapped_column(ExactString(20), default="active", nullable=True)
    artifact_uri: Mapped[str] = mapped_column(ExactString(2048), nullable=True)
    experiment_id: Mapped[int] = mapped_column(Integer, ForeignKey("experiments.experiment_id"), nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint("run_uuid", name="run_pk"),
        CheckConstraint(status.in_(RUN_STATUSES), name="runs_status"),
        CheckConstraint(lifecycle_stage.in_(LIFECYCLE_STAGES), name="runs_lifecycle_stage"),
        # The search path: experiment ids + view type, ordered by start time.
        Index("index_runs_experiment_id_lifecycle_stage_start_time", "experiment_id", "lifecycle_stage", "start_time"),
    )


class SqlExperimentTag(Base):
    __tablename__ = "experiment_tags"

    key: Mapped[str] = mapped_column(ExactString(250))
    value: Mapped[str] = mapped_column(ExactString(8000), nullable=True)
    experiment_id: Mapped[int] = mapped_column(Integer, ForeignKey("experiments.experiment_id"))

    __table_args__ = (PrimaryKeyConstraint("key", "experiment_id", name="experiment_tag_pk"),)


class SqlTag(Base):
    __tablename__ = "tags"

    key: Mapped[str] = mapped_column(ExactString(250))
    value: Mapped[str] = mapped_column(ExactString(8000), nullable=True)
    run_uuid: Mapped[str] = mapped_column(ExactString(32), ForeignKey("runs.run_uuid"))

    __table_args__ = (
        PrimaryKeyConstraint("key", "run_uuid", name="tag_pk"),
        Index("index_tags_run_uuid", "run_uuid"),
    )


class SqlMetric(Base):
    """Every logged metric point. NaN is stored as 0 with is_nan set, +/-inf as +/-max double."""

    __tablename__ = "metrics"

    key: Mapped[str] = mapped_column(ExactString(250))
    value: Mapped[float] = mapped_column(Double(), nullable=False)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    step: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    is_nan: Mapped[bool] = mapped_column(
        Boolean(create_constraint=True, name="metrics_is_nan"), nullable=False, default=False
    )
    run_uuid: Mapped[str] = mapped_column(ExactString(32), ForeignKey("runs.run_uuid"))

    __table_args__ = (
        PrimaryKeyConstraint("key", "timestamp", "step", "run_uuid", "value", "is_nan", name="metric_pk"),
        # Metric history of one run and key, in step order.
        Index("index_metrics_run_uuid_key_step", "run_uuid", "key", "step"),
    )


class SqlLatestMetric(Base):
    """Per run and key, the point with the greatest (step, timestamp, value)."""

    __tablename__ = "latest_metrics"

    key: Mapped[str] = mapped_column(ExactString(250))
    value: Mapped[float] = mapped_column(Double(), nullable=False)
    timestamp: Mapped[int] = mapped_column(BigInteger, nullable=True)
    step: Mapped[int] = mapped_column(BigInteger, nullable=False)
    is_nan: Mapped[bool] = mapped_column(
        Boolean(create_constraint=True, name="latest_metrics_is_nan"), nullable=False
    )
    run_uuid: Mapped[str] = mapped_column(ExactString(32), ForeignKey("runs.run_uuid"))

    __table_args__ = (
        PrimaryKeyConstraint("key", "run_uuid", name="latest_metric_pk"),
        Index("index_latest_metrics_run_uuid", "run_uuid"),
        # Filters such as metrics.acc > 0.9 scan one key's values.
        Index("index_latest_metrics_key_value", "key", "value"),
    )


class SqlParam(Base):
    __tablename__ = "params"

    key: Mapped[str] = mapped_column(ExactString(250))
    value: Mapped[str] = mapped_column(ExactString(8000), nullable=False)
    run_uuid: Mapped[str] = mapped_column(ExactString(32), ForeignKey("runs.run_uuid"))

    __table_args__ = (
        PrimaryKeyConstraint("key", "run_uuid", name="param_pk"),
        Index("index_params_run_uuid", "run_uuid"),
    )


class SqlDataset(Base):
    __tablename__ = "datasets"

    dataset_uuid: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    experiment_id: Mapped[int] = mapped_column(Integer, ForeignKey("experiments.experiment_id"))
    name: Mapped[str] = mapped_column(ExactString(500), nullable=False)
    digest: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    dataset_source_type: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    dataset_source: Mapped[str] = mapped_column(ExactText(), nullable=False)
    dataset_schema: Mapped[str] = mapped_column(ExactText(), nullable=True)
    dataset_profile: Mapped[str] = mapped_column(ExactText(), nullable=True)

    __table_args__ = (
        PrimaryKeyConstraint("experiment_id", "name", "digest", name="dataset_pk"),
        Index("index_datasets_dataset_uuid", "dataset_uuid"),
        Index("index_datasets_experiment_id_dataset_source_type", "experiment_id", "dataset_source_type"),
    )


class SqlInput(Base):
    """A link: dataset -> run (DATASET/RUN), run -> model (RUN_INPUT/MODEL_INPUT, RUN_OUTPUT/MODEL_OUTPUT)."""

    __tablename__ = "inputs"

    input_uuid: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    source_type: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    source_id: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    destination_type: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    destination_id: Mapped[str] = mapped_column(ExactString(36), nullable=False)
    step: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")

    __table_args__ = (
        PrimaryKeyConstraint("source_type", "source_id", "destination_type", "destination_id", name="inputs_pk"),
        UniqueConstraint("input_uuid", name="inputs_input_uuid_key"),
        Index("index_inputs_destination_type_destination_id_source_type", "destination_type", "destination_id", "source_type"),
    )


class SqlInputTag(Base):
    __tablename__ = "input_tags"

    input_uuid: Mapped[str] = mapped_column(ExactString(36), ForeignKey("inputs.input_uuid"), nullable=False)
    name: Mapped[str] = mapped_column(ExactString(255), nullable=False)
    value: Mapped[str] = mapped_column(ExactString(500), nullable=False)

    __table_args__ = (PrimaryKeyConstraint("input_uuid", "name", name="input_tags_pk"),)


# Indexes that exist on some backends only: name -> dialect names.
DIALECT_SPECIFIC_INDEXES = {}


def index_exists_on(index_name, dialect_name):
    """False for an index this schema creates on other backends only (for autogenerate filters)."""
    dialects = DIALECT_SPECIFIC_INDEXES.get(index_name)
    return dialects is None or dialect_name in dialects


def include_object_for(dialect_name):
    """Alembic autogenerate filter: skip indexes the schema creates on other backends only."""

    def include(obj, name, type_, reflected, compare_to):
        return not (type_ == "index" and not reflected and not index_exists_on(name, dialect_name))

    return include


def _dialect_index(name, dialects, *expressions, **options):
    DIALECT_SPECIFIC_INDEXES[name] = dialects
    Index(name, *expressions, **options).ddl_if(dialect=dialects)


def _add_key_value_indexes(model):
    """(key, value) index for tag/param filters, in the form each backend can hold."""
    name = f"index_{model.__tablename__}_key_value"
    _dialect_index(name, _EXACT_VALUE_INDEX_DIALECTS, model.key, model.value, mysql_length={"value": VALUE_INDEX_PREFIX})
    _dialect_index(f"{name}_prefix", ("postgresql",), model.key, func.substr(model.value, 1, VALUE_INDEX_PREFIX))


_add_key_value_indexes(SqlParam)
_add_key_value_indexes(SqlTag)
