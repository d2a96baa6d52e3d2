"""SqlStore: the tracking store on SQLite, PostgreSQL or MySQL/MariaDB.

Every operation is one transaction, run again from the start when the database
reports lock contention or a deadlock. Writes to a run first lock its row
(SQLite: the whole database, via BEGIN IMMEDIATE), so concurrent loggers of one
run queue up instead of racing on latest_metrics or on param immutability.
"""

import os
import re
import random
import time
import uuid

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from runtime.entities import LifecycleStage, Metric, PagedList, RunStatus, ViewType
from runtime.errors import AlreadyExists, InvalidParameter, InvalidState, MlfError, NotFound
from runtime.search.filter import parse_experiment_filter, parse_experiment_order_by, parse_run_filter, parse_run_order_by
from runtime.search.paging import decode_token, encode_token
from runtime.store.contract.tracking import (
    DEFAULT_EXPERIMENT_ID,
    DEFAULT_EXPERIMENT_NAME,
    EXPERIMENTS_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_THRESHOLD,
    TrackingStore,
)
from runtime.store.sql.logged_models import LoggedModelsSqlMixin
from runtime.store.sql import batch
from runtime.store.sql.engine import WRITE_TRANSACTION, get_engine, is_transient_error
from runtime.store.sql.entities import (
    RUN_NAME_TAG,
    load_experiments,
    load_run_columns,
    load_runs,
    run_info_from_row,
)
from runtime.store.sql.planner_stats import ensure_planner_statistics
from runtime.run_names import generate_run_name
from runtime.store.sql.search import (
    apply_run_order,
    experiment_filter,
    experiment_order,
    experiment_tags,
    experiments,
    metric_from_db,
    run_filter,
    runs,
)
from runtime.store.sql.search import tags as run_tags_table
from runtime.store.sql.upgrade import ensure_schema
from runtime.store.sql.traces import TraceSqlStoreMixin
from runtime.store.sql.datasets import EvaluationDatasetsSqlMixin
from runtime.store.sql.issues import IssuesSqlMixin
from runtime.validation import (
    MAX_EXPERIMENT_TAG_VALUE_LENGTH,
    validate_artifact_location,
    validate_experiment_id,
    validate_experiment_name,
    validate_key,
    validate_max_results,
    validate_run_id,
    validate_run_name,
    validate_tag,
)

_MAX_ATTEMPTS = 10


def _now_ms():
    return int(time.time() * 1000)


def _resolve_local(uri):
    """Plain local paths become absolute: stored locations must not depend on the cwd."""
    # Any URI with a scheme stays as is (s3://, file:, and mlflow-artifacts:/ which has no '//').
    if "://" in uri or re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", uri):
        return uri
    return os.path.abspath(uri)


def _append_path(base, *parts):
    return "/".join([base.rstrip("/")] + list(parts))


def _stages(view_type):
    if isinstance(view_type, str):
        view_type = ViewType.from_string(view_type)
    if view_type not in (ViewType.ACTIVE_ONLY, ViewType.DELETED_ONLY, ViewType.ALL):
        raise InvalidParameter(f"Invalid view type {view_type!r}")
    return ViewType.stages(view_type)


def _tag_pairs(tags_argument):
    """(key, value) pairs from a dict or an iterable of objects with .key/.value."""
    if not tags_argument:
        return []
    if isinstance(tags_argument, dict):
        return list(tags_argument.items())
    return [(tag.key, tag.value) for tag in tags_argument]


def _experiment_number(experiment_id):
    """The integer id for a valid experiment id string, None when it cannot name a row."""
    text = validate_experiment_id(experiment_id)
    return int(text) if text.isdigit() and len(text) < 19 else None


def _not_found_experiment(experiment_id):
    return NotFound(f"No Experiment with id={experiment_id} exists")


def _inactive_experiment(experiment_id, stage):
    return InvalidState(f"The experiment {experiment_id} must be in the 'active' state. Current state is {stage}.")


class SqlStore(LoggedModelsSqlMixin, TraceSqlStoreMixin, EvaluationDatasetsSqlMixin, IssuesSqlMixin, TrackingStore):
    """Tracking metadata in a SQL database; artifacts live under default_artifact_root.

    Logged models and traces (their own modules) share this store's database and
    transactions through the mixins.
    """

    def __init__(self, db_uri, default_artifact_root):
        self.db_uri = db_uri
        self.artifact_root_uri = _resolve_local(str(default_artifact_root))
        self.engine = get_engine(db_uri)
        self.dialect = self.engine.dialect.name
        try:
            ensure_schema(self.engine, db_uri)
        except SQLAlchemyError as exc:
            raise MlfError(f"Cannot open the tracking database {db_uri}: {exc}") from None
        self._transaction(self._create_default_experiment, write=True)

    # ---- plumbing ------------------------------------------------------
    def _transaction(self, work, write=False):
        """Run work(connection) in one transaction, again on lock contention or deadlock."""
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                with self.engine.connect() as connection:
                    if write:
                        connection.execution_options(**{WRITE_TRANSACTION: True})
                    with connection.begin():
                        return work(connection)
            except SQLAlchemyError as exc:
                if attempt < _MAX_ATTEMPTS and is_transient_error(exc):
                    time.sleep(min(2.0, 0.02 * 2**attempt) * random.uniform(0.5, 1.5))
                    continue
                raise MlfError(f"Database error: {getattr(exc, 'orig', None) or exc}") from None
        raise AssertionError("unreachable")

    def _experiment_row(self, connection, experiment_id, lock=False):
        number = _experiment_number(experiment_id)
        row = None
        if number is not None:
            query = select(experiments).where(experiments.c.experiment_id == number)
            row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise _not_found_experiment(experiment_id)
        return row

    def _active_experiment_row(self, connection, experiment_id, lock=False):
        row = self._experiment_row(connection, experiment_id, lock)
        if row.lifecycle_stage != LifecycleStage.ACTIVE:
            raise _inactive_experiment(experiment_id, row.lifecycle_stage)
        return row

    def _run_row(self, connection, run_id, lock=False):
        query = select(runs).where(runs.c.run_uuid == validate_run_id(run_id))
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound(f"Run with id={run_id} not found")
        return row

    def _active_run_row(self, connection, run_id):
        row = self._run_row(connection, run_id, lock=True)
        if row.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidState(
                f"The run {run_id} must be in the 'active' state. Current state is {row.lifecycle_stage}."
            )
        return row

    def _create_default_experiment(self, connection):
        exists = connection.execute(
            select(experiments.c.experiment_id).where(experiments.c.experiment_id == int(DEFAULT_EXPERIMENT_ID))
        ).first()
        if exists is not None:
            return
        now = _now_ms()
        row = {
            "experiment_id": int(DEFAULT_EXPERIMENT_ID),
            "name": DEFAULT_EXPERIMENT_NAME,
            "artifact_location": _append_path(self.artifact_root_uri, DEFAULT_EXPERIMENT_ID),
            "lifecycle_stage": LifecycleStage.ACTIVE,
            "creation_time": now,
            "last_update_time": now,
        }
        # MySQL would read an explicit 0 in an AUTO_INCREMENT column as "next value".
        restore_mode = None
        if self.dialect in ("mysql", "mariadb"):
            restore_mode = connection.exec_driver_sql("SELECT @@SESSION.sql_mode").scalar()
            modes = [m for m in restore_mode.split(",") if m] + ["NO_AUTO_VALUE_ON_ZERO"]
            connection.exec_driver_sql("SET SESSION sql_mode = %s", (",".join(modes),))
        try:
            with connection.begin_nested():
                connection.execute(insert(experiments).values(**row))
        except IntegrityError:
            pass  # another process created it first (or "Default" names another experiment)
        finally:
            if restore_mode is not None:
                connection.exec_driver_sql("SET SESSION sql_mode = %s", (restore_mode,))

    # ---- experiments -------------------------------------------------
    def create_experiment(self, name, artifact_location=None, tags=None):
        validate_experiment_name(name)
        pairs = [(k, validate_tag(k, v, MAX_EXPERIMENT_TAG_VALUE_LENGTH)) for k, v in _tag_pairs(tags)]
        location = _resolve_local(validate_artifact_location(artifact_location)) if artifact_location else None

        def work(connection):
            if connection.execute(select(experiments.c.experiment_id).where(experiments.c.name == name)).first():
                raise AlreadyExists(f"Experiment(name={name}) already exists.")
            now = _now_ms()
            try:
                with connection.begin_nested():
                    result = connection.execute(
                        insert(experiments).values(
                            name=name,
                            artifact_location=location,
                            lifecycle_stage=LifecycleStage.ACTIVE,
                            creation_time=now,
                            last_update_time=now,
                        )
                    )
            except IntegrityError:
                raise AlreadyExists(f"Experiment(name={name}) already exists.") from None
            number = result.inserted_primary_key[0]
            if location is None:
                connection.execute(
                    update(experiments)
                    .where(experiments.c.experiment_id == number)
                    .values(artifact_location=_append_path(self.artifact_root_uri, str(number)))
                )
            batch.replace_key_values(connection, experiment_tags, "experiment_id", number, dict(pairs))
            return str(number)

        return self._transaction(work, write=True)

    def get_experiment(self, experiment_id):
        def work(connection):
            return load_experiments(connection, [self._experiment_row(connection, experiment_id)])[0]

        return self._transaction(work)

    def get_experiment_by_name(self, name):
        if not isinstance(name, str) or name == "":
            raise InvalidParameter("Invalid experiment name: it must be a non-empty string")

        def work(connection):
            row = connection.execute(select(experiments).where(experiments.c.name == name)).first()
            return None if row is None else load_experiments(connection, [row])[0]

        return self._transaction(work)

    def search_experiments(
        self,
        view_type=ViewType.ACTIVE_ONLY,
        max_results=EXPERIMENTS_MAX_RESULTS_DEFAULT,
        filter_string=None,
        order_by=None,
        page_token=None,
    ):
        limit = EXPERIMENTS_MAX_RESULTS_DEFAULT if max_results is None else max_results
        limit = validate_max_results(limit, SEARCH_MAX_RESULTS_THRESHOLD)
        conditions = experiment_filter(parse_experiment_filter(filter_string), self.dialect)
        terms = experiment_order(parse_experiment_order_by(order_by), self.dialect)
        offset = decode_token(page_token)
        query = (
            select(experiments)
            .where(experiments.c.lifecycle_stage.in_(_stages(view_type)), *conditions)
            .order_by(*terms)
            .offset(offset)
            .limit(limit + 1)
        )

        def work(connection):
            rows = connection.execute(query).all()
            token = encode_token(offset + limit) if len(rows) > limit else None
            return PagedList(load_experiments(connection, rows[:limit]), token)

        return self._transaction(work)

    def delete_experiment(self, experiment_id):
        def work(connection):
            row = self._experiment_row(connection, experiment_id, lock=True)
            if row.lifecycle_stage != LifecycleStage.ACTIVE:
                raise InvalidState(f"Experiment {experiment_id} is already deleted.")
            # The deletion time marks the runs deleted with the experiment (restore_experiment
            # brings back those only), so it must differ from every earlier run deletion.
            latest_run_deletion = connection.execute(
                select(func.max(runs.c.deleted_time)).where(runs.c.experiment_id == row.experiment_id)
            ).scalar()
            now = max(_now_ms(), (latest_run_deletion or 0) + 1)
            connection.execute(
                update(experiments)
                .where(experiments.c.experiment_id == row.experiment_id)
                .values(lifecycle_stage=LifecycleStage.DELETED, last_update_time=now)
            )
            connection.execute(
                update(runs)
                .where(runs.c.experiment_id == row.experiment_id, runs.c.lifecycle_stage == LifecycleStage.ACTIVE)
                .values(lifecycle_stage=LifecycleStage.DELETED, deleted_time=now)
            )

        self._transaction(work, write=True)

    def restore_experiment(self, experiment_id):
        def work(connection):
            row = self._experiment_row(connection, experiment_id, lock=True)
            if row.lifecycle_stage != LifecycleStage.DELETED:
                raise InvalidState(f"Cannot restore an active experiment {experiment_id}.")
            connection.execute(
                update(experiments)
                .where(experiments.c.experiment_id == row.experiment_id)
                .values(lifecycle_stage=LifecycleStage.ACTIVE, last_update_time=_now_ms())
            )
            if row.last_update_time is not None:
                connection.execute(
                    update(runs)
                    .where(
                        runs.c.experiment_id == row.experiment_id,
                        runs.c.lifecycle_stage == LifecycleStage.DELETED,
                        runs.c.deleted_time == row.last_update_time,
                    )
                    .values(lifecycle_stage=LifecycleStage.ACTIVE, deleted_time=None)
                )

        self._transaction(work, write=True)

    def rename_experiment(self, experiment_id, new_name):
        validate_experiment_name(new_name)

        def work(connection):
            row = self._experiment_row(connection, experiment_id, lock=True)
            if row.lifecycle_stage != LifecycleStage.ACTIVE:
                raise InvalidState("Cannot rename a non-active experiment.")
            if row.name == new_name:
                return
            taken = select(experiments.c.experiment_id).where(experiments.c.name == new_name)
            if connection.execute(taken).first():
                raise AlreadyExists(f"Experiment(name={new_name}) already exists.")
            try:
                with connection.begin_nested():
                    connection.execute(
                        update(experiments)
                        .where(experiments.c.experiment_id == row.experiment_id)
                        .values(name=new_name, last_update_time=_now_ms())
                    )
            except IntegrityError:
                raise AlreadyExists(f"Experiment(name={new_name}) already exists.") from None

        self._transaction(work, write=True)

    def set_experiment_tag(self, experiment_id, key, value):
        value = validate_tag(key, value, MAX_EXPERIMENT_TAG_VALUE_LENGTH)

        def work(connection):
            row = self._active_experiment_row(connection, experiment_id, lock=True)
            batch.replace_key_values(connection, experiment_tags, "experiment_id", row.experiment_id, {key: value})

        self._transaction(work, write=True)

    def delete_experiment_tag(self, experiment_id, key):
        validate_key(key, "tag name")

        def work(connection):
            row = self._active_experiment_row(connection, experiment_id, lock=True)
            deleted = connection.execute(
                delete(experiment_tags).where(
                    experiment_tags.c.experiment_id == row.experiment_id, experiment_tags.c.key == key
                )
            )
            if deleted.rowcount == 0:
                raise NotFound(f"No tag with name: {key} in experiment with id {experiment_id}")

        self._transaction(work, write=True)

    # ---- runs --------------------------------------------------------
    def create_run(self, experiment_id, user_id=None, start_time=None, tags=None, run_name=None):
        validate_run_name(run_name)
        run_tags = {k: validate_tag(k, v) for k, v in _tag_pairs(tags)}
        tag_name = run_tags.get(RUN_NAME_TAG)
        if run_name and tag_name and run_name != tag_name:
            raise InvalidParameter(
                f"Both 'run_name' argument and '{RUN_NAME_TAG}' tag are specified, but with different values "
                f"(run_name='{run_name}', {RUN_NAME_TAG}='{tag_name}')."
            )
        name = run_name or tag_name or generate_run_name()
        validate_run_name(name)
        run_tags[RUN_NAME_TAG] = name
        start = _now_ms() if start_time is None else int(start_time)
        run_id = uuid.uuid4().hex

        def work(connection):
            experiment = self._active_experiment_row(connection, experiment_id, lock=True)
            row = {
                "run_uuid": run_id,
                "name": name,
                "source_type": "UNKNOWN",
                "source_name": "",
                "entry_point_name": "",
                "user_id": user_id or "",
                "status": RunStatus.RUNNING,
                "start_time": start,
                "end_time": None,
                "deleted_time": None,
                "source_version": "",
                "lifecycle_stage": LifecycleStage.ACTIVE,
                "artifact_uri": _append_path(experiment.artifact_location or "", run_id, "artifacts"),
                "experiment_id": experiment.experiment_id,
            }
            connection.execute(insert(runs).values(**row))
            batch.replace_key_values(connection, run_tags_table, "run_uuid", run_id, run_tags)
            return load_runs(connection, [self._run_row(connection, run_id)])[0]

        return self._transaction(work, write=True)

    def get_run(self, run_id):
        def work(connection):
            return load_runs(connection, [self._run_row(connection, run_id)])[0]

        return self._transaction(work)

    def update_run_info(self, run_id, status=None, end_time=None, run_name=None):
        if status is not None:
            RunStatus.validate(status)
        validate_run_name(run_name)
        changes = {}
        if status is not None:
            changes["status"] = status
        if end_time is not None:
            changes["end_time"] = int(end_time)
        if run_name:
            changes["name"] = run_name

        def work(connection):
            self._active_run_row(connection, run_id)
            if changes:
                connection.execute(update(runs).where(runs.c.run_uuid == run_id).values(**changes))
            if run_name:
                batch.replace_key_values(connection, run_tags_table, "run_uuid", run_id, {RUN_NAME_TAG: run_name})
            return run_info_from_row(self._run_row(connection, run_id))

        return self._transaction(work, write=True)

    def _set_run_stage(self, run_id, stage):
        def work(connection):
            row = self._run_row(connection, run_id, lock=True)
            if row.lifecycle_stage == stage:
                return
            deleted_time = _now_ms() if stage == LifecycleStage.DELETED else None
            connection.execute(
                update(runs).where(runs.c.run_uuid == run_id).values(lifecycle_stage=stage, deleted_time=deleted_time)
            )

        self._transaction(work, write=True)

    def delete_run(self, run_id):
        self._set_run_stage(run_id, LifecycleStage.DELETED)

    def restore_run(self, run_id):
        self._set_run_stage(run_id, LifecycleStage.ACTIVE)

    def search_runs(
        self,
        experiment_ids,
        filter_string=None,
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=SEARCH_MAX_RESULTS_DEFAULT,
        order_by=None,
        page_token=None,
    ):
        return self._search_run_rows(experiment_ids, filter_string, run_view_type, max_results, order_by, page_token,
                                     load_runs)

    def search_run_columns(
        self,
        experiment_ids,
        filter_string=None,
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=SEARCH_MAX_RESULTS_DEFAULT,
        order_by=None,
        page_token=None,
        metric_keys=None,
        param_keys=None,
        tag_keys=None,
    ):
        def load(connection, rows):
            return load_run_columns(connection, rows, metric_keys, param_keys, tag_keys)

        return self._search_run_rows(experiment_ids, filter_string, run_view_type, max_results, order_by, page_token,
                                     load)

    def _search_run_rows(self, experiment_ids, filter_string, run_view_type, max_results, order_by, page_token, load):
        """A PagedList of load(connection, rows) for one page of the runs table matching the search."""
        limit = SEARCH_MAX_RESULTS_DEFAULT if max_results is None else max_results
        limit = validate_max_results(limit, SEARCH_MAX_RESULTS_THRESHOLD)
        if isinstance(experiment_ids, (str, int)):
            experiment_ids = [experiment_ids]
        numbers = sorted({n for n in (_experiment_number(e) for e in experiment_ids or ()) if n is not None})
        conditions = run_filter(parse_run_filter(filter_string), self.dialect)
        order_keys = parse_run_order_by(order_by)
        offset = decode_token(page_token)
        if not numbers:
            return PagedList([], None)
        query = select(runs).where(
            runs.c.experiment_id.in_(numbers),
            runs.c.lifecycle_stage.in_(_stages(run_view_type)),
            *conditions,
        )
        query = apply_run_order(query, order_keys, self.dialect).offset(offset).limit(limit + 1)

        def work(connection):
            ensure_planner_statistics(connection)
            rows = connection.execute(query).all()
            token = encode_token(offset + limit) if len(rows) > limit else None
            return PagedList(load(connection, rows[:limit]), token)

        return self._transaction(work)

    def list_run_infos(self, experiment_id, run_view_type=ViewType.ACTIVE_ONLY):
        number = _experiment_number(experiment_id)
        if number is None:
            return []
        query = select(runs).where(runs.c.experiment_id == number, runs.c.lifecycle_stage.in_(_stages(run_view_type)))
        query = apply_run_order(query, [], self.dialect)

        def work(connection):
            return [run_info_from_row(row) for row in connection.execute(query).all()]

        return self._transaction(work)

    def log_batch(self, run_id, metrics=(), params=(), tags=()):
        validate_run_id(run_id)
        prepared = batch.prepare(run_id, metrics or (), params or (), tags or ())
        model_metrics = [m for m in metrics or () if getattr(m, "model_id", None)]

        def work(connection):
            self._active_run_row(connection, run_id)
            batch.write(connection, self.dialect, run_id, prepared)
            if model_metrics:
                # As MLflow: a metric naming a logged model is also that model's metric.
                self.write_logged_model_metrics(connection, run_id, model_metrics)

        self._transaction(work, write=True)

    def delete_tag(self, run_id, key):
        validate_key(key, "tag name")

        def work(connection):
            self._active_run_row(connection, run_id)
            deleted = connection.execute(delete(run_tags_table).where(run_tags_table.c.run_uuid == run_id, run_tags_table.c.key == key))
            if deleted.rowcount == 0:
                raise NotFound(f"No tag with name: {key} in run with id {run_id}")

        self._transaction(work, write=True)

    def get_metric_history(self, run_id, metric_key, max_results=None, page_token=None):
        if not isinstance(metric_key, str) or metric_key == "":
            raise InvalidParameter("Missing value for metric name")
        if max_results is not None:
            max_results = validate_max_results(max_results, 10**9)
        offset = decode_token(page_token)
        query = batch.history_query(run_id, metric_key).offset(offset)
        if max_results is not None:
            query = query.limit(max_results + 1)

        def work(connection):
            self._run_row(connection, run_id)
            rows = connection.execute(query).all()
            token = None
            if max_results is not None and len(rows) > max_results:
                rows, token = rows[:max_results], encode_token(offset + max_results)
            return PagedList([Metric(key, metric_from_db(value, is_nan), timestamp, step)
                              for key, value, timestamp, step, is_nan in rows], token)

        return self._transaction(work)

    def log_inputs(self, run_id, datasets=None, models=None):
        validate_run_id(run_id)
        dataset_inputs = [batch.validate_dataset_input(d) for d in datasets or ()]
        model_ids = [batch.model_id_of(m) for m in models or ()]

        def work(connection):
            run = self._active_run_row(connection, run_id)
            batch.write_dataset_inputs(connection, run, dataset_inputs)
            batch.write_model_links(connection, self.dialect, run_id, "RUN_INPUT", "MODEL_INPUT", [(m, 0) for m in model_ids])

        self._transaction(work, write=True)

    def log_outputs(self, run_id, models):
        validate_run_id(run_id)
        links = [(batch.model_id_of(m), batch.model_step_of(m)) for m in models or ()]

        def work(connection):
            self._active_run_row(connection, run_id)
            batch.write_model_links(connection, self.dialect, run_id, "RUN_OUTPUT", "MODEL_OUTPUT", links)

        self._transaction(work, write=True)

    # ---- garbage collection -----------------------------------------
    @staticmethod
    def _deleted_before(column, older_than_ms):
        if older_than_ms is None:
            return []
        return [column <= _now_ms() - int(older_than_ms)]

    def get_deleted_runs(self, older_than_ms=None):
        query = (
            select(runs.c.run_uuid)
            .where(runs.c.lifecycle_stage == LifecycleStage.DELETED, *self._deleted_before(runs.c.deleted_time, older_than_ms))
            .order_by(runs.c.run_uuid)
        )
        return self._transaction(lambda connection: list(connection.execute(query).scalars()))

    def get_deleted_experiments(self, older_than_ms=None):
        query = (
            select(experiments.c.experiment_id)
            .where(
                experiments.c.lifecycle_stage == LifecycleStage.DELETED,
                *self._deleted_before(experiments.c.last_update_time, older_than_ms),
            )
            .order_by(experiments.c.experiment_id)
        )
        return self._transaction(lambda connection: [str(n) for n in connection.execute(query).scalars()])

    def hard_delete_run(self, run_id):
        def work(connection):
            self._run_row(connection, run_id, lock=True)
            batch.delete_runs(connection, runs.c.run_uuid == run_id)

        self._transaction(work, write=True)

    def hard_delete_experiment(self, experiment_id):
        def work(connection):
            row = self._experiment_row(connection, experiment_id, lock=True)
            number = row.experiment_id
            batch.delete_runs(connection, runs.c.experiment_id == number)
            batch.delete_experiment_rows(connection, number)

        self._transaction(work, write=True)

    def close(self):
        self.engine.dispose()
