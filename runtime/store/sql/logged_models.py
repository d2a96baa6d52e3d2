"""Logged models in the SQL tracking store (tables logged_models, logged_model_tags,
logged_model_params, logged_model_metrics; see runtime/store/sql/models_registry.py).

LoggedModelsSqlMixin adds the LoggedModelStore methods to SqlStore. It uses the
host's ``_transaction(work, write)``, ``_experiment_row(connection, id)``,
``dialect`` and ``artifact_root_uri``. The module-level loaders are shared with
the SQL model registry, which looks logged models up in the same database.
Search translates the parsed filter into SQL with the semantics of the
in-memory evaluation in runtime.store.registry_search.
"""

from collections import defaultdict

from sqlalchemy import and_, case, delete, exists, false, insert, or_, select, true, update

from runtime.entities import LifecycleStage, Metric
from runtime.errors import InvalidParameter, InvalidState, NotFound
from runtime.registry_entities import LoggedModel, LoggedModelStatus
from runtime.search.filter import ATTRIBUTE, METRIC, PARAM, TAG
from runtime.search.paging import decode_token, encode_token
from runtime.store.file.logged_models import generated_model_name, model_artifact_location, new_model_id
from runtime.store.contract.model_registry import LoggedModelStore, logged_model_not_found, now_ms
from runtime.store.sql.entities import chunks
from runtime.store.sql.models_registry import (
    SqlLoggedModel,
    SqlLoggedModelMetric,
    SqlLoggedModelParam,
    SqlLoggedModelTag,
)
from runtime.store.sql.search import _text_order, compare_numbers, compare_strings, metric_db_value, metric_from_db
from runtime.validation import (
    validate_experiment_id,
    validate_logged_model_id,
    validate_run_id,
)

models_table = SqlLoggedModel.__table__
model_tags = SqlLoggedModelTag.__table__
model_params = SqlLoggedModelParam.__table__
model_metrics = SqlLoggedModelMetric.__table__

_STATUS_NUMBERS = {"UNSPECIFIED": 0, "PENDING": 1, "READY": 2, "FAILED": 3}
_STATUS_NAMES = {v: k for k, v in _STATUS_NUMBERS.items()}
# The status as its name, so filters and ordering see the same text as the file store.
_status_name = case(_STATUS_NAMES, value=models_table.c.status, else_="UNSPECIFIED")

_ATTRIBUTE_COLUMNS = {
    "model_id": models_table.c.model_id,
    "name": models_table.c.name,
    "model_type": models_table.c.model_type,
    "status": _status_name,
    "source_run_id": models_table.c.source_run_id,
    "experiment_id": models_table.c.experiment_id,
    "creation_timestamp": models_table.c.creation_timestamp_ms,
    "last_updated_timestamp": models_table.c.last_updated_timestamp_ms,
}
_NUMERIC_ATTRIBUTES = ("creation_timestamp", "last_updated_timestamp", "experiment_id")


# ---- values ------------------------------------------------------------------------------------
def metric_value_to_db(value):
    """NaN is stored as NULL (MLflow's nullable column; MySQL has no NaN), +/-inf as the tracking tables do."""
    stored, is_nan = metric_db_value(float(value))
    return None if is_nan else stored


def metric_value_from_db(value):
    return metric_from_db(0.0, True) if value is None else metric_from_db(value, False)


def _experiment_number(experiment_id):
    text = validate_experiment_id(experiment_id)
    return int(text) if text.isdigit() and len(text) < 19 else None


# ---- loading -----------------------------------------------------------------------------------
def load_logged_models(connection, rows):
    """LoggedModel objects for rows of logged_models, with tags, params and metrics."""
    ids = [row.model_id for row in rows]
    tag_maps, param_maps, metric_lists = defaultdict(dict), defaultdict(dict), defaultdict(list)
    for part in chunks(ids):
        for row in connection.execute(select(model_tags).where(model_tags.c.model_id.in_(part))):
            tag_maps[row.model_id][row.tag_key] = row.tag_value
        for row in connection.execute(select(model_params).where(model_params.c.model_id.in_(part))):
            param_maps[row.model_id][row.param_key] = row.param_value
        query = select(model_metrics).where(model_metrics.c.model_id.in_(part)).order_by(
            model_metrics.c.model_id, model_metrics.c.metric_name, model_metrics.c.metric_timestamp_ms,
            model_metrics.c.metric_step, model_metrics.c.run_id,
        )
        for row in connection.execute(query):
            metric_lists[row.model_id].append(Metric(
                key=row.metric_name, value=metric_value_from_db(row.metric_value), timestamp=row.metric_timestamp_ms,
                step=row.metric_step, run_id=row.run_id, model_id=row.model_id,
                dataset_name=row.dataset_name, dataset_digest=row.dataset_digest,
            ))
    return [
        LoggedModel(
            model_id=row.model_id,
            experiment_id=str(row.experiment_id),
            name=row.name,
            artifact_location=row.artifact_location,
            creation_timestamp=row.creation_timestamp_ms,
            last_updated_timestamp=row.last_updated_timestamp_ms,
            status=_STATUS_NAMES.get(row.status, LoggedModelStatus.UNSPECIFIED),
            status_message=row.status_message,
            model_type=row.model_type,
            source_run_id=row.source_run_id,
            tags=dict(sorted(tag_maps[row.model_id].items())),
            params=dict(sorted(param_maps[row.model_id].items())),
            metrics=metric_lists[row.model_id],
            lifecycle_stage=row.lifecycle_stage or LifecycleStage.ACTIVE,
        )
        for row in rows
    ]


def logged_model_row(connection, model_id, allow_deleted=False, lock=False):
    validate_logged_model_id(model_id)
    query = select(models_table).where(models_table.c.model_id == model_id)
    row = connection.execute(query.with_for_update() if lock else query).first()
    if row is None or (row.lifecycle_stage == LifecycleStage.DELETED and not allow_deleted):
        raise logged_model_not_found(model_id)
    return row


def get_logged_model(connection, model_id, allow_deleted=False):
    return load_logged_models(connection, [logged_model_row(connection, model_id, allow_deleted)])[0]


# ---- search translation ---------------------------------------------------------------------------
def _owned(table, key_column, key, condition=None):
    clauses = [table.c.model_id == models_table.c.model_id, key_column == key]
    if condition is not None:
        clauses.append(condition)
    return exists().where(*clauses)


def _dataset_condition(datasets):
    if not datasets:
        return None
    return or_(*[
        and_(model_metrics.c.dataset_name == d["dataset_name"],
             *([model_metrics.c.dataset_digest == d["dataset_digest"]] if d.get("dataset_digest") else []))
        for d in datasets
    ])


def _metric_value_condition(comparison):
    stored = metric_value_to_db(float(comparison.value))
    if stored is None:  # comparing with NaN: only '!=' holds, for every point
        return true() if comparison.op == "!=" else false()
    value_test = compare_numbers(model_metrics.c.metric_value, comparison.op, stored)
    if comparison.op == "!=":
        return or_(model_metrics.c.metric_value.is_(None), value_test)
    return and_(model_metrics.c.metric_value.is_not(None), value_test)


def logged_model_filter(comparisons, datasets, dialect):
    conditions = []
    dataset_condition = _dataset_condition(datasets)
    for c in comparisons:
        if c.entity == METRIC:
            condition = _metric_value_condition(c)
            if dataset_condition is not None:
                condition = and_(condition, dataset_condition)
            conditions.append(_owned(model_metrics, model_metrics.c.metric_name, c.key, condition))
        elif c.entity in (PARAM, TAG):
            table, key_column, value_column = (
                (model_params, model_params.c.param_key, model_params.c.param_value) if c.entity == PARAM
                else (model_tags, model_tags.c.tag_key, model_tags.c.tag_value)
            )
            if c.op == "IS NULL":
                conditions.append(~_owned(table, key_column, c.key))
            elif c.op == "IS NOT NULL":
                conditions.append(_owned(table, key_column, c.key))
            else:
                conditions.append(_owned(table, key_column, c.key, compare_strings(value_column, c.op, c.value, dialect)))
        elif c.entity == ATTRIBUTE:
            column = _ATTRIBUTE_COLUMNS[c.key]
            if c.key in _NUMERIC_ATTRIBUTES:
                conditions.append(compare_numbers(column, c.op, c.value))
            else:
                conditions.append(compare_strings(column, c.op, c.value, dialect))
        else:
            raise InvalidParameter(f"Unsupported logged model filter on {c.entity} {c.key!r}")
    if dataset_condition is not None and not any(c.entity == METRIC for c in comparisons):
        conditions.append(exists().where(model_metrics.c.model_id == models_table.c.model_id, dataset_condition))
    return conditions


def _metric_points(order_key):
    clauses = [model_metrics.c.model_id == models_table.c.model_id, model_metrics.c.metric_name == order_key.key]
    if order_key.dataset_name:
        clauses.append(model_metrics.c.dataset_name == order_key.dataset_name)
    if order_key.dataset_digest:
        clauses.append(model_metrics.c.dataset_digest == order_key.dataset_digest)
    return clauses


def logged_model_order(order_keys, dialect):
    """ORDER BY terms matching registry_search.sort_logged_models: values, then NaN, then missing."""
    terms = []
    for key in order_keys:
        if key.entity == METRIC:
            clauses = _metric_points(key)
            latest = (
                select(model_metrics.c.metric_value).where(*clauses)
                .order_by(model_metrics.c.metric_timestamp_ms.desc(), model_metrics.c.metric_step.desc())
                .limit(1).correlate(models_table).scalar_subquery()
            )
            present = exists().where(*clauses)
            rank = case((~present, 2), (latest.is_(None), 1), else_=0)
            value = latest
        else:
            column = _ATTRIBUTE_COLUMNS[key.key]
            rank = case((column.is_(None), 2), else_=0)
            value = column if key.key in _NUMERIC_ATTRIBUTES else _text_order(column, dialect)
        terms += [rank.asc(), value.asc() if key.ascending else value.desc()]
    return terms


# ---- the mixin ----------------------------------------------------------------------------------
class LoggedModelsSqlMixin(LoggedModelStore):
    """LoggedModelStore on the SQL tracking store's database."""

    def _create_logged_model(self, experiment_id, name, source_run_id, tags, params, model_type):
        def work(connection):
            experiment = self._experiment_row(connection, experiment_id)
            if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
                raise InvalidState(f"Could not create model under non-active experiment with ID {experiment_id}.")
            model_id = new_model_id()
            now = now_ms()
            number = experiment.experiment_id
            connection.execute(insert(models_table).values(
                model_id=model_id, experiment_id=number, name=name or generated_model_name(),
                artifact_location=model_artifact_location(experiment.artifact_location or "", model_id),
                creation_timestamp_ms=now, last_updated_timestamp_ms=now,
                status=_STATUS_NUMBERS[LoggedModelStatus.PENDING], lifecycle_stage=LifecycleStage.ACTIVE,
                model_type=model_type or None, source_run_id=source_run_id or None,
            ))
            if params:
                connection.execute(insert(model_params), [
                    {"model_id": model_id, "experiment_id": number, "param_key": k, "param_value": v}
                    for k, v in params.items()
                ])
            if tags:
                connection.execute(insert(model_tags), [
                    {"model_id": model_id, "experiment_id": number, "tag_key": k, "tag_value": v}
                    for k, v in tags.items()
                ])
            return get_logged_model(connection, model_id)

        return self._transaction(work, write=True)

    def _get_logged_model(self, model_id, allow_deleted):
        return self._transaction(lambda connection: get_logged_model(connection, model_id, allow_deleted))

    def _finalize_logged_model(self, model_id, status):
        number = _STATUS_NUMBERS[status]

        def work(connection):
            logged_model_row(connection, model_id, lock=True)
            connection.execute(update(models_table).where(models_table.c.model_id == model_id)
                               .values(status=number, last_updated_timestamp_ms=now_ms()))
            return get_logged_model(connection, model_id)

        return self._transaction(work, write=True)

    def _set_logged_model_tags(self, model_id, tags):
        def work(connection):
            row = logged_model_row(connection, model_id, lock=True)
            if tags:
                connection.execute(delete(model_tags).where(
                    model_tags.c.model_id == model_id, model_tags.c.tag_key.in_(list(tags))))
                connection.execute(insert(model_tags), [
                    {"model_id": model_id, "experiment_id": row.experiment_id, "tag_key": k, "tag_value": v}
                    for k, v in tags.items()
                ])

        self._transaction(work, write=True)

    def _delete_logged_model_tag(self, model_id, key):
        def work(connection):
            logged_model_row(connection, model_id, lock=True)
            deleted = connection.execute(delete(model_tags).where(model_tags.c.model_id == model_id,
                                                                  model_tags.c.tag_key == key))
            if deleted.rowcount == 0:
                raise NotFound(f"No tag with key {key!r} found for model with ID {model_id!r}.")

        self._transaction(work, write=True)

    def _log_logged_model_params(self, model_id, params):
        def work(connection):
            row = logged_model_row(connection, model_id, lock=True)
            existing = dict(connection.execute(
                select(model_params.c.param_key, model_params.c.param_value).where(model_params.c.model_id == model_id)
            ).all())
            for key, value in params.items():
                if key in existing and existing[key] != value:
                    raise InvalidParameter(
                        f"Changing param values is not allowed. Param with key='{key}' was already logged with "
                        f"value='{existing[key]}' for model ID '{model_id}'. Attempted logging new value '{value}'."
                    )
            new = [{"model_id": model_id, "experiment_id": row.experiment_id, "param_key": k, "param_value": v}
                   for k, v in params.items() if k not in existing]
            if new:
                connection.execute(insert(model_params), new)

        self._transaction(work, write=True)

    def write_logged_model_metrics(self, connection, run_id, metrics):
        """Insert the metrics that carry a model_id, inside the caller's transaction (log_batch)."""
        from runtime.store.sql.batch import insert_ignoring_duplicates

        rows = {}
        experiments = {}
        for metric in metrics:
            if not metric.model_id:
                continue
            if metric.model_id not in experiments:
                experiments[metric.model_id] = logged_model_row(connection, metric.model_id, allow_deleted=True).experiment_id
            row = {
                "model_id": metric.model_id, "metric_name": metric.key,
                "metric_timestamp_ms": int(metric.timestamp), "metric_step": int(metric.step or 0),
                "metric_value": metric_value_to_db(metric.value), "experiment_id": experiments[metric.model_id],
                "run_id": run_id, "dataset_uuid": None,
                "dataset_name": metric.dataset_name, "dataset_digest": metric.dataset_digest,
            }
            rows[(row["model_id"], row["metric_name"], row["metric_timestamp_ms"], row["metric_step"])] = row
        insert_ignoring_duplicates(connection, self.dialect, model_metrics, list(rows.values()))

    def record_logged_model_metrics(self, run_id, metrics):
        validate_run_id(run_id)
        self._transaction(lambda connection: self.write_logged_model_metrics(connection, run_id, metrics), write=True)

    def _search_logged_models(self, experiment_ids, query):
        max_results, order = query.max_results, query.order
        numbers = [n for n in (_experiment_number(e) for e in experiment_ids) if n is not None]
        offset = decode_token(query.page_token)

        def work(connection):
            if not numbers:
                return [], None
            statement = (
                select(models_table)
                .where(models_table.c.experiment_id.in_(numbers),
                       models_table.c.lifecycle_stage == LifecycleStage.ACTIVE,
                       *logged_model_filter(query.comparisons, query.datasets, self.dialect))
                .order_by(*logged_model_order(order, self.dialect))
                .offset(offset).limit(max_results + 1)
            )
            rows = connection.execute(statement).all()
            token = encode_token(offset + max_results) if len(rows) > max_results else None
            return load_logged_models(connection, rows[:max_results]), token

        from runtime.entities import PagedList

        models, token = self._transaction(work)
        return PagedList(models, token)

    def _delete_logged_model(self, model_id):
        def work(connection):
            logged_model_row(connection, model_id, lock=True)
            connection.execute(update(models_table).where(models_table.c.model_id == model_id).values(
                lifecycle_stage=LifecycleStage.DELETED, last_updated_timestamp_ms=now_ms()))

        self._transaction(work, write=True)

    def get_deleted_logged_models(self, older_than_ms=None):
        conditions = [models_table.c.lifecycle_stage == LifecycleStage.DELETED]
        if older_than_ms is not None:
            conditions.append(models_table.c.last_updated_timestamp_ms <= now_ms() - int(older_than_ms))
        query = select(models_table.c.model_id).where(*conditions).order_by(models_table.c.model_id)
        return self._transaction(lambda connection: list(connection.execute(query).scalars()))

    def hard_delete_logged_model(self, model_id):
        def work(connection):
            logged_model_row(connection, model_id, allow_deleted=True, lock=True)
            for table in (model_metrics, model_params, model_tags, models_table):
                connection.execute(delete(table).where(table.c.model_id == model_id))

        self._transaction(work, write=True)

