"""GenAI evaluation datasets on the SQL store (contract: runtime.store.contract.datasets).

Rows live in mlflow's tables: evaluation_datasets, evaluation_dataset_tags,
evaluation_dataset_records, and entity_associations rows
(evaluation_dataset -> experiment) for the experiment links, so mlflow reads
and writes the same datasets.
"""

import base64
import binascii
import hashlib
import json
import time
import uuid

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update

from runtime.entities import PagedList
from runtime.errors import InvalidParameter, NotFound
from runtime.search.filter import ATTRIBUTE, TAG, _parse_filter, _parse_order_by, _Vocabulary
from runtime.search.paging import decode_token, encode_token
from runtime.store.contract.datasets import (
    DATASET_ID_PREFIX,
    DEFAULT_RECORDS_PAGE,
    DEFAULT_SEARCH_RESULTS,
    RECORD_ID_PREFIX,
    EvaluationDatasetStore,
)
from runtime.store.sql.search import compare_numbers, compare_strings
from runtime.store.sql.tables import metadata

datasets = metadata.tables["evaluation_datasets"]
dataset_tags = metadata.tables["evaluation_dataset_tags"]
records = metadata.tables["evaluation_dataset_records"]
associations = metadata.tables["entity_associations"]
experiments = metadata.tables["experiments"]

DATASET_ENTITY, EXPERIMENT_ENTITY = "evaluation_dataset", "experiment"
USER_TAG = "mlflow.user"
WRAPPED_OUTPUT_KEY = "mlflow_wrapped"  # record outputs are stored as {"mlflow_wrapped": outputs}, as mlflow does
MAX_SEARCH_RESULTS = 50000

DATASETS_SEARCH = _Vocabulary(
    subject="dataset",
    filter_entities=(TAG, ATTRIBUTE),
    order_entities=(ATTRIBUTE,),
    string_attributes=("name", "created_by", "last_updated_by"),
    numeric_attributes=("created_time", "last_update_time"),
    attribute_aliases=(),
    null_entities=(),
    restricted_ops=(),
)
_ORDERABLE = ("name", "created_time", "last_update_time")


def _now_ms():
    return int(time.time() * 1000)


def dataset_digest(name, last_update_time):
    return hashlib.sha256(f"{name}:{last_update_time}".encode()).hexdigest()[:8]


def input_hash(inputs):
    return hashlib.sha256(json.dumps(inputs or {}, sort_keys=True).encode()).hexdigest()


def _field_type(value):
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"), (list, "array"),
                       (dict, "object")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else "unknown"


def merged_schema(existing_json, new_records):
    """The dataset schema: the type of every input, output and expectation field first seen."""
    if not new_records and not existing_json:
        return None
    schema = json.loads(existing_json) if existing_json else {
        "inputs": {}, "outputs": {}, "expectations": {}, "version": "1.0"}
    for record in new_records:
        for section in ("inputs", "expectations"):
            for key, value in (record.get(section) or {}).items():
                schema[section].setdefault(key, _field_type(value))
        outputs = record.get("outputs")
        if isinstance(outputs, dict):
            for key, value in outputs.items():
                schema["outputs"].setdefault(key, _field_type(value))
        elif outputs is not None and not schema["outputs"]:
            schema["outputs"] = _field_type(outputs)
    return schema


def _dataset_wire(row, tags, experiment_ids=None):
    out = {"dataset_id": row.dataset_id, "name": row.name, "tags": json.dumps(tags), "digest": row.digest,
           "created_time": row.created_time, "last_update_time": row.last_update_time}
    for column in ("schema", "profile", "created_by", "last_updated_by"):
        if getattr(row, column) is not None:
            out[column] = getattr(row, column)
    if experiment_ids is not None:
        out["experiment_ids"] = list(experiment_ids)
    return out


def _record_wire(row):
    out = {"dataset_record_id": row.dataset_record_id, "dataset_id": row.dataset_id, "inputs": row.inputs}
    outputs = (row.outputs or {}).get(WRAPPED_OUTPUT_KEY) if row.outputs else None
    if outputs is not None:
        out["outputs"] = outputs
    for column in ("expectations", "tags", "source", "source_id", "source_type", "created_by", "last_updated_by"):
        if getattr(row, column) is not None:
            out[column] = getattr(row, column)
    out["created_time"], out["last_update_time"] = row.created_time, row.last_update_time
    return out


def _records_cursor(row):
    return base64.b64encode(f"{row.created_time}:{row.dataset_record_id}".encode()).decode()


def _after_cursor(token):
    try:
        created, record_id = base64.b64decode(token.encode(), validate=True).decode().split(":", 1)
        created = int(created)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidParameter(f"Invalid page token \"{token}\"") from None
    return or_(records.c.created_time > created,
               and_(records.c.created_time == created, records.c.dataset_record_id > record_id))


def _check_tags(tags, what="tags"):
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise InvalidParameter(f"Invalid value for {what}: expected a JSON object of tag keys to values")
    return tags


class EvaluationDatasetsSqlMixin(EvaluationDatasetStore):
    """Mixed into SqlStore, which provides _transaction(work, write=...)."""

    # ---- reading helpers (run inside a transaction's connection)
    @staticmethod
    def _dataset_row(connection, dataset_id, lock=False):
        query = select(datasets).where(datasets.c.dataset_id == str(dataset_id))
        return connection.execute(query.with_for_update() if lock else query).first()

    def _existing_dataset_row(self, connection, dataset_id, message=None, lock=False):
        row = self._dataset_row(connection, dataset_id, lock=lock)
        if row is None:
            raise NotFound(message or f"Evaluation dataset with id '{dataset_id}' not found")
        return row

    @staticmethod
    def _tags_of(connection, dataset_ids):
        found = {dataset_id: {} for dataset_id in dataset_ids}
        if dataset_ids:
            query = select(dataset_tags).where(dataset_tags.c.dataset_id.in_(list(dataset_ids)))
            for tag in connection.execute(query):
                found[tag.dataset_id][tag.key] = tag.value
        return found

    @staticmethod
    def _experiment_links(connection, dataset_id):
        query = select(associations.c.destination_id).where(
            associations.c.source_type == DATASET_ENTITY, associations.c.source_id == dataset_id,
            associations.c.destination_type == EXPERIMENT_ENTITY).order_by(associations.c.created_time,
                                                                           associations.c.destination_id)
        return [row[0] for row in connection.execute(query)]

    def _wire(self, connection, row, experiment_ids=None):
        return _dataset_wire(row, self._tags_of(connection, [row.dataset_id])[row.dataset_id], experiment_ids)

    @staticmethod
    def _link(connection, dataset_id, experiment_ids, now):
        for experiment_id in experiment_ids:
            connection.execute(insert(associations).values(
                association_id=uuid.uuid4().hex, source_type=DATASET_ENTITY, source_id=dataset_id,
                destination_type=EXPERIMENT_ENTITY, destination_id=experiment_id, created_time=now))

    # ---- the contract
    def create_dataset(self, name, tags=None, experiment_ids=None):
        if not isinstance(name, str) or not name:
            raise InvalidParameter("Missing value for required parameter 'name'.")
        tags = {key: str(value) for key, value in _check_tags(tags).items() if value is not None}
        experiment_ids = list(dict.fromkeys(str(e) for e in experiment_ids or ()))
        dataset_id = DATASET_ID_PREFIX + uuid.uuid4().hex
        now = _now_ms()
        user = tags.get(USER_TAG)

        def work(connection):
            connection.execute(insert(datasets).values(
                dataset_id=dataset_id, name=name, digest=dataset_digest(name, now), created_time=now,
                last_update_time=now, created_by=user, last_updated_by=user))
            for key, value in tags.items():
                connection.execute(insert(dataset_tags).values(dataset_id=dataset_id, key=key, value=value))
            self._link(connection, dataset_id, experiment_ids, now)
            return self._wire(connection, self._dataset_row(connection, dataset_id), experiment_ids)

        return self._transaction(work, write=True)

    def get_dataset(self, dataset_id):
        return self._transaction(lambda connection: self._wire(connection, self._existing_dataset_row(
            connection, dataset_id)))

    def delete_dataset(self, dataset_id):
        def work(connection):
            if self._dataset_row(connection, dataset_id) is None:
                return
            connection.execute(delete(associations).where(or_(
                and_(associations.c.source_type == DATASET_ENTITY, associations.c.source_id == dataset_id),
                and_(associations.c.destination_type == DATASET_ENTITY,
                     associations.c.destination_id == dataset_id))))
            # Children first: not every backend enforces the ON DELETE CASCADE (sqlite without foreign keys).
            connection.execute(delete(records).where(records.c.dataset_id == dataset_id))
            connection.execute(delete(dataset_tags).where(dataset_tags.c.dataset_id == dataset_id))
            connection.execute(delete(datasets).where(datasets.c.dataset_id == dataset_id))

        self._transaction(work, write=True)

    def search_datasets(self, experiment_ids=None, filter_string=None, max_results=None, order_by=None,
                        page_token=None):
        max_results = DEFAULT_SEARCH_RESULTS if max_results is None else max_results
        if isinstance(max_results, bool) or not isinstance(max_results, int) or not 0 < max_results <= MAX_SEARCH_RESULTS:
            raise InvalidParameter(f"Invalid value {max_results} for parameter 'max_results' supplied. It must be "
                                   f"a positive integer at most {MAX_SEARCH_RESULTS}")
        comparisons = _parse_filter(filter_string, DATASETS_SEARCH)
        order_keys = _parse_order_by(order_by, DATASETS_SEARCH)
        offset = decode_token(page_token)

        def work(connection):
            dialect = connection.dialect.name
            query = select(datasets)
            if experiment_ids:
                query = query.where(datasets.c.dataset_id.in_(select(associations.c.source_id).where(
                    associations.c.source_type == DATASET_ENTITY,
                    associations.c.destination_type == EXPERIMENT_ENTITY,
                    associations.c.destination_id.in_([str(e) for e in experiment_ids]))))
            for comparison in comparisons:
                query = query.where(_dataset_condition(comparison, dialect))
            query = query.order_by(*_dataset_order(order_keys)).offset(offset).limit(max_results + 1)
            rows = connection.execute(query).fetchall()
            token = encode_token(offset + max_results) if len(rows) > max_results else None
            rows = rows[:max_results]
            tags = self._tags_of(connection, [row.dataset_id for row in rows])
            return PagedList([_dataset_wire(row, tags[row.dataset_id]) for row in rows], token)

        return self._transaction(work)

    def set_dataset_tags(self, dataset_id, tags):
        tags = _check_tags(tags)

        def work(connection):
            self._existing_dataset_row(connection, dataset_id,
                                       f"Could not find evaluation dataset with ID {dataset_id}", lock=True)
            for key, value in tags.items():
                if value is None:
                    continue
                where = and_(dataset_tags.c.dataset_id == dataset_id, dataset_tags.c.key == key)
                if connection.execute(select(dataset_tags.c.key).where(where)).first():
                    connection.execute(update(dataset_tags).where(where).values(value=str(value)))
                else:
                    connection.execute(insert(dataset_tags).values(dataset_id=dataset_id, key=key, value=str(value)))
            return self._wire(connection, self._dataset_row(connection, dataset_id))

        return self._transaction(work, write=True)

    def delete_dataset_tag(self, dataset_id, key):
        self._transaction(lambda connection: connection.execute(delete(dataset_tags).where(
            dataset_tags.c.dataset_id == dataset_id, dataset_tags.c.key == key)), write=True)

    def upsert_dataset_records(self, dataset_id, new_records):
        if not isinstance(new_records, list) or not all(isinstance(r, dict) for r in new_records):
            raise InvalidParameter("Invalid value for records: expected a JSON list of record objects")
        now = _now_ms()

        def work(connection):
            dataset = self._existing_dataset_row(connection, dataset_id, lock=True)
            inserted = updated = 0
            updated_by = None
            for record in new_records:
                key = input_hash(record.get("inputs"))
                tags = record.get("tags") or None
                user = (tags or {}).get(USER_TAG)
                updated_by = user or updated_by
                where = and_(records.c.dataset_id == dataset_id, records.c.input_hash == key)
                existing = connection.execute(select(records).where(where)).first()
                if existing is not None:
                    connection.execute(update(records).where(where).values(**_merged_record(existing, record, now)))
                    updated += 1
                    continue
                source = record.get("source")
                outputs = record.get("outputs", {})
                connection.execute(insert(records).values(
                    dataset_record_id=RECORD_ID_PREFIX + uuid.uuid4().hex, dataset_id=dataset_id,
                    inputs=record.get("inputs") or {}, expectations=record.get("expectations"), tags=tags,
                    outputs=None if outputs is None else {WRAPPED_OUTPUT_KEY: outputs},
                    source=source if isinstance(source, dict) else None,
                    source_type=source.get("source_type") if isinstance(source, dict) else None,
                    created_time=now, last_update_time=now, created_by=user, last_updated_by=user, input_hash=key))
                inserted += 1
            count = connection.execute(select(func.count()).select_from(records).where(
                records.c.dataset_id == dataset_id)).scalar()
            changes = {"last_update_time": now, "last_updated_by": updated_by,
                       "digest": dataset_digest(dataset.name, now)}
            schema = merged_schema(dataset.schema, new_records)
            if schema:
                changes["schema"] = json.dumps(schema)
            if count:
                changes["profile"] = json.dumps({"num_records": count})
            connection.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(**changes))
            return inserted, updated

        return self._transaction(work, write=True)

    def get_dataset_records(self, dataset_id, max_results=None, page_token=None):
        limit = max_results or DEFAULT_RECORDS_PAGE

        def work(connection):
            self._existing_dataset_row(connection, dataset_id)
            query = select(records).where(records.c.dataset_id == dataset_id)
            if page_token:
                query = query.where(_after_cursor(page_token))
            query = query.order_by(records.c.created_time, records.c.dataset_record_id).limit(limit + 1)
            rows = connection.execute(query).fetchall()
            token = _records_cursor(rows[limit - 1]) if len(rows) > limit else None
            return [_record_wire(row) for row in rows[:limit]], token

        return self._transaction(work)

    def delete_dataset_records(self, dataset_id, record_ids):
        record_ids = [str(r) for r in record_ids or ()]

        def work(connection):
            self._existing_dataset_row(connection, dataset_id, lock=True)
            if not record_ids:
                return 0
            deleted = connection.execute(delete(records).where(
                records.c.dataset_id == dataset_id, records.c.dataset_record_id.in_(record_ids))).rowcount
            if deleted:
                left = connection.execute(select(func.count()).select_from(records).where(
                    records.c.dataset_id == dataset_id)).scalar()
                connection.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(
                    profile=json.dumps({"num_records": left}) if left else None))
            return deleted

        return self._transaction(work, write=True)

    def get_dataset_experiment_ids(self, dataset_id):
        return self._transaction(lambda connection: self._experiment_links(connection, str(dataset_id)))

    def add_dataset_to_experiments(self, dataset_id, experiment_ids):
        wanted = list(dict.fromkeys(str(e) for e in experiment_ids or ()))
        now = _now_ms()

        def work(connection):
            self._existing_dataset_row(connection, dataset_id, f"Dataset '{dataset_id}' not found", lock=True)
            numeric = [int(e) for e in wanted if e.isdigit() and len(e) <= 18]
            known = {str(row[0]) for row in connection.execute(
                select(experiments.c.experiment_id).where(experiments.c.experiment_id.in_(numeric)))} if numeric else set()
            for experiment_id in wanted:
                if experiment_id not in known:
                    raise NotFound(f"No Experiment with id={experiment_id}")
            linked = set(self._experiment_links(connection, dataset_id))
            self._link(connection, dataset_id, [e for e in wanted if e not in linked], now)
            connection.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(
                last_update_time=now))
            return self._wire(connection, self._dataset_row(connection, dataset_id))

        return self._transaction(work, write=True)

    def remove_dataset_from_experiments(self, dataset_id, experiment_ids):
        unwanted = [str(e) for e in experiment_ids or ()]

        def work(connection):
            self._existing_dataset_row(connection, dataset_id, f"Dataset '{dataset_id}' not found", lock=True)
            if unwanted:
                connection.execute(delete(associations).where(
                    associations.c.source_type == DATASET_ENTITY, associations.c.source_id == dataset_id,
                    associations.c.destination_type == EXPERIMENT_ENTITY,
                    associations.c.destination_id.in_(unwanted)))
            return self._wire(connection, self._dataset_row(connection, dataset_id))

        return self._transaction(work, write=True)


def _merged_record(existing, record, now):
    """An upsert of known inputs: outputs replaced, expectations and tags updated key by key."""
    changes = {"last_update_time": now}
    if "outputs" in record:
        changes["outputs"] = None if record["outputs"] is None else {WRAPPED_OUTPUT_KEY: record["outputs"]}
    for column in ("expectations", "tags"):
        if record.get(column):
            changes[column] = {**(getattr(existing, column) or {}), **record[column]}
    return changes


def _dataset_condition(comparison, dialect):
    if comparison.entity == TAG:
        if comparison.op not in ("=", "!=", "LIKE", "ILIKE"):
            raise InvalidParameter(f"Invalid comparator '{comparison.op}' for dataset tags: use one of "
                                   "=, !=, LIKE, ILIKE")
        return exists().where(dataset_tags.c.dataset_id == datasets.c.dataset_id,
                              dataset_tags.c.key == comparison.key,
                              compare_strings(dataset_tags.c.value, comparison.op, comparison.value, dialect))
    column = datasets.c[comparison.key]
    if comparison.key in DATASETS_SEARCH.numeric_attributes:
        return compare_numbers(column, comparison.op, comparison.value)
    return compare_strings(column, comparison.op, comparison.value, dialect)


def _dataset_order(order_keys):
    clauses = []
    for key in order_keys:
        if key.key not in _ORDERABLE:
            raise InvalidParameter(f"Invalid order_by key '{key.key}' for datasets: use one of "
                                   + ", ".join(_ORDERABLE))
        column = datasets.c[key.key]
        clauses.append(column.asc() if key.ascending else column.desc())
    if not order_keys:
        clauses.append(datasets.c.created_time.desc())
    clauses.append(datasets.c.dataset_id.asc())
    return clauses
