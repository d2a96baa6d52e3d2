"""ORM classes of the tracking tables, on the one declarative Base every area shares.

The tables themselves are defined once, in tables.py, exactly as mlflow's SQL
store has them; each class here maps one of them. models_registry.py and
models_traces.py do the same for their areas. MLF_EXTRA_INDEXES are the only
additions: indexes for mlf's search paths, which mlflow neither needs nor minds.
"""

from sqlalchemy import Index, func
from sqlalchemy.orm import DeclarativeBase

from runtime.store.sql.tables import metadata

# A (key, value) index cannot hold whole 8000-character values everywhere: MySQL
# indexes a prefix of the value, PostgreSQL an expression over its first characters.
VALUE_INDEX_PREFIX = 200
_EXACT_VALUE_INDEX_DIALECTS = ("sqlite", "mysql", "mariadb")

LIFECYCLE_STAGES = ("active", "deleted")
RUN_STATUSES = ("SCHEDULED", "FAILED", "FINISHED", "RUNNING", "KILLED")


class Base(DeclarativeBase):
    """The declarative base of every mlf table."""

    metadata = metadata


def _mapped(name, table_name):
    return type(name, (Base,), {"__table__": metadata.tables[table_name]})


SqlExperiment = _mapped("SqlExperiment", "experiments")
SqlRun = _mapped("SqlRun", "runs")
SqlExperimentTag = _mapped("SqlExperimentTag", "experiment_tags")
SqlTag = _mapped("SqlTag", "tags")
SqlMetric = _mapped("SqlMetric", "metrics")
SqlLatestMetric = _mapped("SqlLatestMetric", "latest_metrics")
SqlParam = _mapped("SqlParam", "params")
SqlDataset = _mapped("SqlDataset", "datasets")
SqlInput = _mapped("SqlInput", "inputs")
SqlInputTag = _mapped("SqlInputTag", "input_tags")
SqlWorkspace = _mapped("SqlWorkspace", "workspaces")

# Indexes mlf adds to mlflow's schema: name -> dialect names it exists on (None: all).
MLF_EXTRA_INDEXES = {}


def _extra_index(name, *expressions, dialects=None, **options):
    MLF_EXTRA_INDEXES[name] = dialects
    index = Index(name, *expressions, **options)
    if dialects is not None:
        index.ddl_if(dialect=dialects)


def index_exists_on(index, dialect_name):
    """False for an index this schema creates on other backends only."""
    condition = getattr(index, "_ddl_if", None)
    dialects = condition.dialect if condition is not None else None
    if isinstance(dialects, str):
        dialects = (dialects,)
    return dialects is None or dialect_name in dialects or (dialect_name == "mariadb" and "mysql" in dialects)


def include_object_for(dialect_name):
    """Alembic autogenerate filter: skip indexes the schema creates on other backends only."""

    def include(obj, name, type_, reflected, compare_to):
        return not (type_ == "index" and not reflected and not index_exists_on(obj, dialect_name))

    return include


_runs = metadata.tables["runs"]
# The search path: experiment ids + view type, ordered by start time.
_extra_index("index_runs_experiment_id_lifecycle_stage_start_time",
             _runs.c.experiment_id, _runs.c.lifecycle_stage, _runs.c.start_time)
_latest = metadata.tables["latest_metrics"]
# Filters such as metrics.acc > 0.9 scan one key's values.
_extra_index("index_latest_metrics_key_value", _latest.c.key, _latest.c.value)
for _table_name in ("params", "tags"):
    # (key, value) index for tag/param filters, in the form each backend can hold.
    _table = metadata.tables[_table_name]
    _extra_index(f"index_{_table_name}_key_value", _table.c.key, _table.c.value,
                 dialects=_EXACT_VALUE_INDEX_DIALECTS, mysql_length={"value": VALUE_INDEX_PREFIX})
    _extra_index(f"index_{_table_name}_key_value_prefix", _table.c.key,
                 func.substr(_table.c.value, 1, VALUE_INDEX_PREFIX), dialects=("postgresql",))
