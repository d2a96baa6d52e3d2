"""Build runtime.entities objects from rows, loading a page of runs' data in a few queries."""

from collections import defaultdict

from sqlalchemy import select

from runtime.entities import Dataset, DatasetInput, Experiment, Metric, Run, RunInfo
from runtime.store.sql.search import (
    datasets,
    experiment_tags,
    input_tags,
    inputs,
    latest_metrics,
    metric_from_db,
    params,
    tags,
)

RUN_NAME_TAG = "mlflow.runName"
# Rows per IN (...) list: far below every backend's bind-parameter limit.
CHUNK = 500


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def experiment_from_row(row, experiment_tag_map):
    return Experiment(
        experiment_id=str(row.experiment_id),
        name=row.name,
        artifact_location=row.artifact_location or "",
        lifecycle_stage=row.lifecycle_stage,
        creation_time=row.creation_time,
        last_update_time=row.last_update_time,
        tags=experiment_tag_map,
    )


def load_experiments(connection, rows):
    """Experiments for rows of the experiments table, with their tags."""
    tag_maps = defaultdict(dict)
    ids = [row.experiment_id for row in rows]
    for part in chunks(ids):
        query = select(experiment_tags.c.experiment_id, experiment_tags.c.key, experiment_tags.c.value).where(
            experiment_tags.c.experiment_id.in_(part)
        )
        for experiment_id, key, value in connection.execute(query):
            tag_maps[experiment_id][key] = value if value is not None else ""
    return [experiment_from_row(row, dict(sorted(tag_maps[row.experiment_id].items()))) for row in rows]


def run_info_from_row(row, run_tags=None):
    name = row.name or (run_tags or {}).get(RUN_NAME_TAG) or ""
    return RunInfo(
        run_id=row.run_uuid,
        experiment_id=str(row.experiment_id),
        run_name=name,
        user_id=row.user_id or "",
        status=row.status,
        start_time=row.start_time,
        end_time=row.end_time,
        artifact_uri=row.artifact_uri or "",
        lifecycle_stage=row.lifecycle_stage,
    )


def _key_value_maps(connection, table, run_ids, keys=None):
    """{run_id: {key: value}} of a params or tags table; only `keys` when given (None: every key)."""
    maps = defaultdict(dict)
    if keys is not None and not keys:
        return maps
    for part in chunks(run_ids):
        query = select(table.c.run_uuid, table.c.key, table.c.value).where(table.c.run_uuid.in_(part))
        if keys is not None:
            query = query.where(table.c.key.in_(list(keys)))
        for run_id, key, value in connection.execute(query.order_by(table.c.key)):
            maps[run_id][key] = value if value is not None else ""
    return maps


def _latest_metric_maps(connection, run_ids, keys=None):
    """{run_id: {key: latest Metric}}; only `keys` when given (None: every key)."""
    maps = defaultdict(dict)
    if keys is not None and not keys:
        return maps
    c = latest_metrics.c
    for part in chunks(run_ids):
        # Named columns unpacked as tuples: twice as fast as Row attribute access on a 5,000-run page.
        query = select(c.run_uuid, c.key, c.value, c.timestamp, c.step, c.is_nan).where(c.run_uuid.in_(part))
        if keys is not None:
            query = query.where(c.key.in_(list(keys)))
        for run_id, key, value, timestamp, step, is_nan in connection.execute(query.order_by(c.key)):
            maps[run_id][key] = Metric(key, metric_from_db(value, is_nan), timestamp, step)
    return maps


def _dataset_input_lists(connection, run_ids):
    lists = defaultdict(list)
    for part in chunks(run_ids):
        query = (
            select(inputs.c.input_uuid, inputs.c.destination_id, datasets)
            .join(datasets, datasets.c.dataset_uuid == inputs.c.source_id)
            .where(
                inputs.c.source_type == "DATASET",
                inputs.c.destination_type == "RUN",
                inputs.c.destination_id.in_(part),
            )
            .order_by(inputs.c.destination_id, datasets.c.name, datasets.c.digest)
        )
        rows = connection.execute(query).all()
        input_tag_maps = defaultdict(dict)
        for input_part in chunks([row.input_uuid for row in rows]):
            tag_query = select(input_tags).where(input_tags.c.input_uuid.in_(input_part)).order_by(input_tags.c.name)
            for tag in connection.execute(tag_query):
                input_tag_maps[tag.input_uuid][tag.name] = tag.value
        for row in rows:
            dataset = Dataset(
                name=row.name,
                digest=row.digest,
                source_type=row.dataset_source_type,
                source=row.dataset_source,
                schema=row.dataset_schema,
                profile=row.dataset_profile,
            )
            lists[row.destination_id].append(DatasetInput(dataset, input_tag_maps[row.input_uuid]))
    return lists


def _model_links(connection, run_ids, source_type, destination_type):
    lists = defaultdict(list)
    for part in chunks(run_ids):
        query = (
            select(inputs.c.source_id, inputs.c.destination_id, inputs.c.step)
            .where(
                inputs.c.source_type == source_type,
                inputs.c.destination_type == destination_type,
                inputs.c.source_id.in_(part),
            )
            .order_by(inputs.c.source_id, inputs.c.step, inputs.c.destination_id)
        )
        for run_id, model_id, step in connection.execute(query):
            lists[run_id].append((model_id, step))
    return lists


def load_runs(connection, rows):
    """Runs for rows of the runs table, with latest metrics, params, tags, inputs and outputs."""
    run_ids = [row.run_uuid for row in rows]
    metric_maps = _latest_metric_maps(connection, run_ids)
    param_maps = _key_value_maps(connection, params, run_ids)
    tag_maps = _key_value_maps(connection, tags, run_ids)
    dataset_lists = _dataset_input_lists(connection, run_ids)
    model_inputs = _model_links(connection, run_ids, "RUN_INPUT", "MODEL_INPUT")
    model_outputs = _model_links(connection, run_ids, "RUN_OUTPUT", "MODEL_OUTPUT")
    result = []
    for row in rows:
        run_id = row.run_uuid
        run_tags = tag_maps[run_id]
        result.append(
            Run(
                info=run_info_from_row(row, run_tags),
                metrics=metric_maps[run_id],
                params=param_maps[run_id],
                tags=run_tags,
                dataset_inputs=dataset_lists[run_id],
                model_inputs=[{"model_id": model_id} for model_id, _ in model_inputs[run_id]],
                model_outputs=[{"model_id": model_id, "step": step} for model_id, step in model_outputs[run_id]],
            )
        )
    return result


def load_run_columns(connection, rows, metric_keys=None, param_keys=None, tag_keys=None):
    """Runs for rows of the runs table with only the listed keys (None: every key of that kind):
    one query per kind, filtered by run ids and keys; no inputs or outputs."""
    run_ids = [row.run_uuid for row in rows]
    metric_maps = _latest_metric_maps(connection, run_ids, metric_keys)
    param_maps = _key_value_maps(connection, params, run_ids, param_keys)
    # The run name falls back to its tag when the row has none, so read that tag too.
    tag_maps = _key_value_maps(connection, tags, run_ids, None if tag_keys is None else {*tag_keys, RUN_NAME_TAG})
    wanted_tags = None if tag_keys is None else set(tag_keys)
    result = []
    for row in rows:
        run_tags = tag_maps[row.run_uuid]
        shown = run_tags if wanted_tags is None else {k: v for k, v in run_tags.items() if k in wanted_tags}
        result.append(Run(info=run_info_from_row(row, run_tags), metrics=metric_maps[row.run_uuid],
                          params=param_maps[row.run_uuid], tags=shown))
    return result
