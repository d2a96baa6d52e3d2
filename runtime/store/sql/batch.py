"""The write side of SqlStore: batches of metrics/params/tags, inputs/outputs, hard deletes.

Functions here run inside the caller's transaction, after it locked the run row.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from runtime.errors import InvalidParameter
from runtime.store.sql.entities import RUN_NAME_TAG, chunks
from runtime.store.sql.models import SqlMetric
from runtime.store.sql.search import (
    datasets,
    experiment_tags,
    experiments,
    input_tags,
    inputs,
    latest_metrics,
    metric_db_value,
    params,
    runs,
    tags,
)
from runtime.validation import (
    validate_batch_size,
    validate_generic_id,
    validate_metric,
    validate_param,
    validate_run_name,
    validate_tag,
)

metrics = SqlMetric.__table__

# MLflow's limits for dataset inputs (the column sizes of the datasets/input_tags tables).
DATASET_LIMITS = {"name": 500, "digest": 36, "source_type": 36, "source": 65535, "schema": 1048575, "profile": 16384}
INPUT_TAG_KEY_LIMIT = 255
INPUT_TAG_VALUE_LIMIT = 500
MODEL_ID_LIMIT = 36


@dataclass
class PreparedBatch:
    metric_rows: list  # dicts for the metrics table, without duplicates
    params: dict  # key -> value
    tags: dict  # key -> value


def prepare(run_id, metric_list, param_list, tag_list):
    """Validate a batch completely before anything is written."""
    metric_list, param_list, tag_list = list(metric_list), list(param_list), list(tag_list)
    validate_batch_size(metric_list, param_list, tag_list)
    rows, seen = [], set()
    for metric in metric_list:
        value, timestamp, step = validate_metric(metric.key, metric.value, metric.timestamp, metric.step)
        stored, is_nan = metric_db_value(value)
        identity = (metric.key, timestamp, step, stored, is_nan)
        if identity not in seen:  # the metrics primary key keeps one copy of a point
            seen.add(identity)
            rows.append(
                {"key": metric.key, "value": stored, "timestamp": timestamp, "step": step, "is_nan": is_nan, "run_uuid": run_id}
            )
    param_values = {}
    for param in param_list:
        value = validate_param(param.key, param.value)
        if param_values.get(param.key, value) != value:
            raise InvalidParameter(
                f"Duplicate parameter keys have been submitted: ['{param.key}']. Please ensure the request "
                "contains only one param value per param key."
            )
        param_values[param.key] = value
    tag_values = {tag.key: validate_tag(tag.key, tag.value) for tag in tag_list}
    if RUN_NAME_TAG in tag_values:
        validate_run_name(tag_values[RUN_NAME_TAG])
    return PreparedBatch(rows, param_values, tag_values)


def insert_ignoring_duplicates(connection, dialect, table, rows):
    """INSERT rows, skipping those whose primary/unique key is already taken (one executemany)."""
    if not rows:
        return
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert

        statement = dialect_insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert

        statement = dialect_insert(table).on_conflict_do_nothing()
    elif dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as dialect_insert

        statement = dialect_insert(table)
        first = table.primary_key.columns.values()[0].name
        statement = statement.on_duplicate_key_update({first: statement.inserted[first]})
    else:
        for row in rows:
            try:
                with connection.begin_nested():
                    connection.execute(insert(table).values(**row))
            except IntegrityError:
                pass
        return
    connection.execute(statement, rows)


def replace_key_values(connection, table, owner_column, owner, mapping):
    """Set key -> value rows of one owner (tags): replaced if present, added otherwise."""
    if not mapping:
        return
    for part in chunks(mapping):
        connection.execute(delete(table).where(table.c[owner_column] == owner, table.c.key.in_(part)))
    connection.execute(insert(table), [{owner_column: owner, "key": k, "value": v} for k, v in mapping.items()])


def _write_params(connection, run_id, values):
    existing = {}
    for part in chunks(values):
        query = select(params.c.key, params.c.value).where(params.c.run_uuid == run_id, params.c.key.in_(part))
        existing.update(connection.execute(query).all())
    for key, value in values.items():
        if key in existing and existing[key] != value:
            raise InvalidParameter(
                f"Changing param values is not allowed. Param with key='{key}' was already logged with "
                f"value='{existing[key]}' for run ID='{run_id}'. Attempted logging new value '{value}'."
            )
    new_rows = [{"key": k, "value": v, "run_uuid": run_id} for k, v in values.items() if k not in existing]
    if new_rows:
        connection.execute(insert(params), new_rows)


def _rank(row):
    """Which point of a key is the latest: greatest step, then timestamp, then value (NaN lowest)."""
    return (row["step"], row["timestamp"], 0 if row["is_nan"] else 1, row["value"])


_LATEST_UPDATE = (
    update(latest_metrics)
    .where(latest_metrics.c.run_uuid == bindparam("b_run_uuid"), latest_metrics.c.key == bindparam("b_key"))
    .values(
        value=bindparam("b_value"),
        timestamp=bindparam("b_timestamp"),
        step=bindparam("b_step"),
        is_nan=bindparam("b_is_nan"),
    )
)


def _update_latest_metrics(connection, run_id, rows):
    best = {}
    for row in rows:
        current = best.get(row["key"])
        if current is None or _rank(row) > _rank(current):
            best[row["key"]] = row
    existing = {}
    for part in chunks(best):
        query = select(latest_metrics).where(latest_metrics.c.run_uuid == run_id, latest_metrics.c.key.in_(part))
        existing.update((row.key, row._mapping) for row in connection.execute(query))
    inserts = [row for key, row in best.items() if key not in existing]
    updates = [
        {f"b_{name}": value for name, value in row.items()}
        for key, row in best.items()
        if key in existing and _rank(row) > _rank(existing[key])
    ]
    if inserts:
        connection.execute(insert(latest_metrics), inserts)
    if updates:
        connection.execute(_LATEST_UPDATE, updates)


def write(connection, dialect, run_id, prepared):
    """Store a validated batch for an active, locked run."""
    if prepared.params:
        _write_params(connection, run_id, prepared.params)
    if prepared.tags:
        replace_key_values(connection, tags, "run_uuid", run_id, prepared.tags)
        if RUN_NAME_TAG in prepared.tags:
            connection.execute(update(runs).where(runs.c.run_uuid == run_id).values(name=prepared.tags[RUN_NAME_TAG]))
    if prepared.metric_rows:
        insert_ignoring_duplicates(connection, dialect, metrics, prepared.metric_rows)
        _update_latest_metrics(connection, run_id, prepared.metric_rows)


def history_query(run_id, key):
    """A run's points for one metric key in (step, timestamp, value) order, NaN lowest.

    Rows are (key, value, timestamp, step, is_nan): a history can hold millions of points, and
    plain tuples are several times cheaper to turn into Metrics than rows read by column name.
    """
    return (
        select(metrics.c.key, metrics.c.value, metrics.c.timestamp, metrics.c.step, metrics.c.is_nan)
        .where(metrics.c.run_uuid == run_id, metrics.c.key == key)
        .order_by(metrics.c.step, metrics.c.timestamp, metrics.c.is_nan.desc(), metrics.c.value)
    )


# ---- inputs and outputs ------------------------------------------------


def _check_length(what, value, limit):
    if value is not None and len(value) > limit:
        raise InvalidParameter(f"{what} exceeds the maximum length of {limit} characters (got {len(value)})")


def validate_dataset_input(dataset_input):
    """(Dataset, tags dict) after checking MLflow's size limits."""
    dataset = dataset_input.dataset
    if not isinstance(dataset.name, str) or not dataset.name:
        raise InvalidParameter("Dataset name must be a non-empty string")
    if not isinstance(dataset.digest, str) or not dataset.digest:
        raise InvalidParameter(f"Dataset {dataset.name!r} needs a non-empty digest")
    for field, limit in DATASET_LIMITS.items():
        _check_length(f"Dataset {field}", getattr(dataset, field), limit)
    tag_map = dict(dataset_input.tags or {})
    for key, value in tag_map.items():
        if not isinstance(key, str) or not key:
            raise InvalidParameter("Dataset input tag keys must be non-empty strings")
        _check_length(f"Dataset input tag key {key[:40]!r}", key, INPUT_TAG_KEY_LIMIT)
        _check_length(f"Value of dataset input tag {key!r}", str(value), INPUT_TAG_VALUE_LIMIT)
    return dataset, {k: str(v) for k, v in tag_map.items()}


def model_id_of(model):
    model_id = model.get("model_id") if isinstance(model, dict) else getattr(model, "model_id", None)
    validate_generic_id(model_id, "model id")
    _check_length("Model id", model_id, MODEL_ID_LIMIT)
    return model_id


def model_step_of(model):
    step = model.get("step", 0) if isinstance(model, dict) else getattr(model, "step", 0)
    try:
        return int(step or 0)
    except (TypeError, ValueError):
        raise InvalidParameter(f"Invalid model output step {step!r}: expected an integer") from None


def _dataset_uuid(connection, experiment_id, dataset):
    """The id of the experiment's dataset (name, digest), created on first use."""
    query = select(datasets.c.dataset_uuid).where(
        datasets.c.experiment_id == experiment_id, datasets.c.name == dataset.name, datasets.c.digest == dataset.digest
    )
    found = connection.execute(query).scalar()
    if found is not None:
        return found
    try:
        with connection.begin_nested():
            new_id = str(uuid.uuid4())
            connection.execute(
                insert(datasets).values(
                    dataset_uuid=new_id,
                    experiment_id=experiment_id,
                    name=dataset.name,
                    digest=dataset.digest,
                    dataset_source_type=dataset.source_type or "",
                    dataset_source=dataset.source or "",
                    dataset_schema=dataset.schema,
                    dataset_profile=dataset.profile,
                )
            )
            return new_id
    except IntegrityError:
        # A run of the same experiment registered it concurrently.
        return connection.execute(query).scalar_one()


def write_dataset_inputs(connection, run_row, dataset_inputs):
    """Link datasets to the run; a dataset already linked keeps its original input tags (as MLflow)."""
    for dataset, tag_map in dataset_inputs:
        dataset_id = _dataset_uuid(connection, run_row.experiment_id, dataset)
        linked = connection.execute(
            select(inputs.c.input_uuid).where(
                inputs.c.source_type == "DATASET",
                inputs.c.source_id == dataset_id,
                inputs.c.destination_type == "RUN",
                inputs.c.destination_id == run_row.run_uuid,
            )
        ).first()
        if linked is not None:
            continue
        input_id = uuid.uuid4().hex
        connection.execute(
            insert(inputs).values(
                input_uuid=input_id,
                source_type="DATASET",
                source_id=dataset_id,
                destination_type="RUN",
                destination_id=run_row.run_uuid,
                step=0,
            )
        )
        if tag_map:
            connection.execute(
                insert(input_tags), [{"input_uuid": input_id, "name": k, "value": v} for k, v in tag_map.items()]
            )


def write_model_links(connection, dialect, run_id, source_type, destination_type, links):
    """Record run -> model links ((model_id, step) pairs); repeats are ignored."""
    rows = [
        {
            "input_uuid": uuid.uuid4().hex,
            "source_type": source_type,
            "source_id": run_id,
            "destination_type": destination_type,
            "destination_id": model_id,
            "step": step,
        }
        for model_id, step in dict(links).items()
    ]
    insert_ignoring_duplicates(connection, dialect, inputs, rows)


# ---- hard deletes ----------------------------------------------------------


def _delete_inputs(connection, link_condition):
    input_ids = select(inputs.c.input_uuid).where(link_condition)
    connection.execute(delete(input_tags).where(input_tags.c.input_uuid.in_(input_ids)))
    connection.execute(delete(inputs).where(link_condition))


def delete_runs(connection, run_condition):
    """Remove the runs matching run_condition (on the runs table) with everything they own."""
    run_ids = select(runs.c.run_uuid).where(run_condition)
    _delete_inputs(
        connection,
        or_(
            and_(inputs.c.destination_type == "RUN", inputs.c.destination_id.in_(run_ids)),
            and_(inputs.c.source_type.in_(("RUN_INPUT", "RUN_OUTPUT")), inputs.c.source_id.in_(run_ids)),
        ),
    )
    for table in (metrics, latest_metrics, params, tags):
        connection.execute(delete(table).where(table.c.run_uuid.in_(run_ids)))
    # MySQL cannot delete from a table filtered by a subquery on itself: reuse the condition.
    connection.execute(delete(runs).where(run_condition))


def delete_experiment_rows(connection, experiment_id):
    """Remove an experiment whose runs are already gone, with its datasets and tags."""
    dataset_ids = select(datasets.c.dataset_uuid).where(datasets.c.experiment_id == experiment_id)
    _delete_inputs(connection, and_(inputs.c.source_type == "DATASET", inputs.c.source_id.in_(dataset_ids)))
    connection.execute(delete(datasets).where(datasets.c.experiment_id == experiment_id))
    connection.execute(delete(experiment_tags).where(experiment_tags.c.experiment_id == experiment_id))
    # mlflow's schema does not cascade every reference to an experiment (logged-model params,
    # tags and metrics, spans, ...): delete what still points at it, children before parents.
    for table in reversed(experiments.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column is experiments.c.experiment_id:
                connection.execute(delete(table).where(fk.parent == experiment_id))
    connection.execute(delete(experiments).where(experiments.c.experiment_id == experiment_id))
