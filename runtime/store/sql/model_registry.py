"""The model registry on SQLite, PostgreSQL or MySQL/MariaDB.

Tables: registered_models, model_versions, registered_model_tags,
model_version_tags, registered_model_aliases (runtime/store/sql/models_registry.py,
created by migration 0002_registry). Every operation is one transaction, retried
on lock contention like the tracking store's. A new version number is the
model's highest number + 1 with the model row locked, so concurrent creators
queue instead of colliding; deleted versions stay as Deleted_Internal rows so
numbers are never reused.
"""

from collections import defaultdict

from sqlalchemy import and_, case, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from runtime.errors import AlreadyExists, MlfError
from runtime.registry_entities import ModelVersion, ModelVersionStage, ModelVersionStatus, RegisteredModel
from runtime.search.filter import TAG
from runtime.search.paging import decode_token, encode_token
from runtime.store import registry_search as search
from runtime.store.contract.model_registry import (
    ModelRegistryStore,
    alias_not_found,
    latest_versions,
    model_version_not_found,
    now_ms,
    registered_model_not_found,
)
from runtime.store.sql.engine import get_engine
from runtime.store.sql.entities import chunks
from runtime.store.sql.models_registry import (
    SqlModelVersion,
    SqlModelVersionTag,
    SqlRegisteredModel,
    SqlRegisteredModelAlias,
    SqlRegisteredModelTag,
)
from runtime.store.sql.search import _text_order, compare_numbers, compare_strings
from runtime.store.sql.store import SqlStore
from runtime.store.sql.upgrade import ensure_schema
from runtime.validation import (
    validate_model_name,
    validate_model_version,
)

models = SqlRegisteredModel.__table__
versions = SqlModelVersion.__table__
model_tags = SqlRegisteredModelTag.__table__
version_tags = SqlModelVersionTag.__table__
aliases = SqlRegisteredModelAlias.__table__

_LIVE = versions.c.current_stage != ModelVersionStage.DELETED_INTERNAL
_MODEL_COLUMNS = {"name": models.c.name, "creation_timestamp": models.c.creation_time,
                  "last_updated_timestamp": models.c.last_updated_time}
_VERSION_COLUMNS = {"name": versions.c.name, "run_id": versions.c.run_id, "source_path": versions.c.source,
                    "current_stage": versions.c.current_stage, "version_number": versions.c.version,
                    "creation_timestamp": versions.c.creation_time, "last_updated_timestamp": versions.c.last_updated_time}
_NUMERIC = ("creation_timestamp", "last_updated_timestamp", "version_number")


def _tag_condition(comparison, table, owner_conditions, dialect):
    """Tag comparison; '!=' and IS NULL also hold when the tag is absent (registry semantics)."""
    def has(extra=None):
        clauses = [*owner_conditions, table.c.key == comparison.key]
        if extra is not None:
            clauses.append(extra)
        return exists().where(*clauses)

    if comparison.op == "IS NULL":
        return ~has()
    if comparison.op == "IS NOT NULL":
        return has()
    if comparison.op == "!=":
        return ~has(table.c.value == comparison.value)
    return has(compare_strings(table.c.value, comparison.op, comparison.value, dialect))


def _attribute_condition(comparison, columns, dialect):
    column = columns[comparison.key]
    if comparison.key in _NUMERIC:
        return compare_numbers(column, comparison.op, comparison.value)
    return compare_strings(column, comparison.op, comparison.value, dialect)


def _order_terms(order_keys, columns, dialect):
    terms = []
    for key in order_keys:
        column = columns[key.key]
        value = column if key.key in _NUMERIC else _text_order(column, dialect)
        terms += [case((column.is_(None), 1), else_=0).asc(), value.asc() if key.ascending else value.desc()]
    return terms


def _version_from_row(row, tag_map, alias_names):
    return ModelVersion(
        name=row.name, version=str(row.version), creation_timestamp=row.creation_time,
        last_updated_timestamp=row.last_updated_time, user_id=row.user_id,
        current_stage=row.current_stage or ModelVersionStage.NONE, description=row.description, source=row.source,
        run_id=row.run_id, status=row.status or ModelVersionStatus.READY, status_message=row.status_message,
        tags=dict(sorted(tag_map.items())), run_link=row.run_link, aliases=sorted(alias_names),
        model_id=_model_id_of(row.source), storage_location=row.storage_location,
    )


def _model_id_of(source):
    """The logged model a version was made from: mlflow's schema keeps it only as a models:/<id> source."""
    if source and source.startswith("models:/m-") and "/" not in source[len("models:/"):].rstrip("/"):
        return source[len("models:/"):].rstrip("/")
    return None


class SqlModelRegistryStore(ModelRegistryStore):
    # One transaction per operation, retried on lock contention: the tracking store's plumbing.
    _transaction = SqlStore._transaction

    def __init__(self, db_uri):
        self.db_uri = db_uri
        self.engine = get_engine(db_uri)
        self.dialect = self.engine.dialect.name
        try:
            ensure_schema(self.engine, db_uri)
        except SQLAlchemyError as exc:
            raise MlfError(f"Cannot open the registry database {db_uri}: {exc}") from None

    def close(self):
        self.engine.dispose()

    # ---- loading ----------------------------------------------------------
    def _load_versions(self, connection, rows):
        keys = [(row.name, row.version) for row in rows]
        names = sorted({row.name for row in rows})
        tag_maps, alias_maps = defaultdict(dict), defaultdict(list)
        for part in chunks(names):
            for row in connection.execute(select(version_tags).where(version_tags.c.name.in_(part))):
                tag_maps[(row.name, row.version)][row.key] = row.value if row.value is not None else ""
            for row in connection.execute(select(aliases).where(aliases.c.name.in_(part))):
                alias_maps[(row.name, row.version)].append(row.alias)
        return [_version_from_row(row, tag_maps[key], alias_maps[key]) for row, key in zip(rows, keys)]

    def _load_models(self, connection, rows):
        names = [row.name for row in rows]
        tag_maps, alias_maps, live = defaultdict(dict), defaultdict(dict), defaultdict(list)
        for part in chunks(names):
            for row in connection.execute(select(model_tags).where(model_tags.c.name.in_(part))):
                tag_maps[row.name][row.key] = row.value if row.value is not None else ""
            for row in connection.execute(select(aliases).where(aliases.c.name.in_(part)).order_by(aliases.c.alias)):
                alias_maps[row.name][row.alias] = str(row.version)
            version_rows = connection.execute(select(versions).where(versions.c.name.in_(part), _LIVE)).all()
            for version in self._load_versions(connection, version_rows):
                live[version.name].append(version)
        return [
            RegisteredModel(
                name=row.name, creation_timestamp=row.creation_time, last_updated_timestamp=row.last_updated_time,
                description=row.description, latest_versions=latest_versions(live[row.name]),
                tags=dict(sorted(tag_maps[row.name].items())), aliases=alias_maps[row.name],
            )
            for row in rows
        ]

    def _model_row(self, connection, name, lock=False):
        query = select(models).where(models.c.name == validate_model_name(name))
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise registered_model_not_found(name)
        return row

    def _version_row(self, connection, name, version, lock=False):
        number = int(validate_model_version(version))
        self._model_row(connection, name, lock=lock)
        row = connection.execute(select(versions).where(versions.c.name == name, versions.c.version == number)).first()
        if row is None or row.current_stage == ModelVersionStage.DELETED_INTERNAL:
            raise model_version_not_found(name, version)
        return row

    def _get_version(self, connection, name, version):
        return self._load_versions(connection, [self._version_row(connection, name, version)])[0]

    def _get_model(self, connection, name):
        return self._load_models(connection, [self._model_row(connection, name)])[0]

    @staticmethod
    def _touch(connection, name, timestamp=None):
        connection.execute(update(models).where(models.c.name == name).values(last_updated_time=timestamp or now_ms()))

    # ---- registered models -----------------------------------------------
    def _create_registered_model(self, name, tags, description, user_id):
        def work(connection):
            now = now_ms()
            try:
                with connection.begin_nested():
                    connection.execute(insert(models).values(name=name, creation_time=now, last_updated_time=now,
                                                             description=description))
            except IntegrityError:
                raise AlreadyExists(f"Registered Model (name={name}) already exists.") from None
            if tags:
                connection.execute(insert(model_tags), [{"name": name, "key": k, "value": v} for k, v in tags.items()])
            return self._get_model(connection, name)

        return self._transaction(work, write=True)

    def get_registered_model(self, name):
        return self._transaction(lambda connection: self._get_model(connection, name))

    def _update_registered_model(self, name, description):
        def work(connection):
            self._model_row(connection, name, lock=True)
            connection.execute(update(models).where(models.c.name == name)
                               .values(description=description, last_updated_time=now_ms()))
            return self._get_model(connection, name)

        return self._transaction(work, write=True)

    def rename_registered_model(self, name, new_name):
        validate_model_name(new_name)

        def work(connection):
            self._model_row(connection, name, lock=True)
            if new_name == name:
                return self._get_model(connection, name)
            if connection.execute(select(models.c.name).where(models.c.name == new_name)).first() is not None:
                raise AlreadyExists(f"Registered Model (name={new_name}) already exists.")
            now = now_ms()
            # Copy the model row under the new name, move the children, drop the old row:
            # portable everywhere, unlike cascading primary-key updates.
            old = connection.execute(select(models).where(models.c.name == name)).one()
            try:
                with connection.begin_nested():
                    connection.execute(insert(models).values(name=new_name, creation_time=old.creation_time,
                                                             last_updated_time=now, description=old.description))
            except IntegrityError:
                raise AlreadyExists(f"Registered Model (name={new_name}) already exists.") from None
            version_rows = [dict(r._mapping) for r in connection.execute(select(versions).where(versions.c.name == name))]
            tag_rows = [dict(r._mapping) for r in connection.execute(select(version_tags).where(version_tags.c.name == name))]
            connection.execute(delete(version_tags).where(version_tags.c.name == name))
            connection.execute(delete(versions).where(versions.c.name == name))
            if version_rows:
                connection.execute(insert(versions), [{**r, "name": new_name, "last_updated_time": now} for r in version_rows])
            if tag_rows:
                connection.execute(insert(version_tags), [{**r, "name": new_name} for r in tag_rows])
            for table in (model_tags, aliases):
                connection.execute(update(table).where(table.c.name == name).values(name=new_name))
            connection.execute(delete(models).where(models.c.name == name))
            return self._get_model(connection, new_name)

        return self._transaction(work, write=True)

    def delete_registered_model(self, name):
        def work(connection):
            self._model_row(connection, name, lock=True)
            for table in (version_tags, aliases, model_tags, versions, models):
                connection.execute(delete(table).where(table.c.name == name))

        self._transaction(work, write=True)

    def search_registered_models(self, filter_string=None, max_results=None, order_by=None, page_token=None):
        max_results = self._registered_model_max_results(max_results)
        comparisons = search.parse_registered_model_filter(filter_string)
        order = search.registered_model_order(order_by)
        offset = decode_token(page_token)
        conditions = [
            _tag_condition(c, model_tags, [model_tags.c.name == models.c.name], self.dialect) if c.entity == TAG
            else _attribute_condition(c, _MODEL_COLUMNS, self.dialect)
            for c in comparisons
        ]
        query = (select(models).where(*conditions).order_by(*_order_terms(order, _MODEL_COLUMNS, self.dialect))
                 .offset(offset).limit(max_results + 1))
        return self._page(query, offset, max_results, self._load_models)

    def _page(self, query, offset, max_results, loader):
        from runtime.entities import PagedList

        def work(connection):
            rows = connection.execute(query).all()
            token = encode_token(offset + max_results) if len(rows) > max_results else None
            return loader(connection, rows[:max_results]), token

        items, token = self._transaction(work)
        return PagedList(items, token)

    def get_latest_versions(self, name, stages=None):
        def work(connection):
            self._model_row(connection, name)
            rows = connection.execute(select(versions).where(versions.c.name == name, _LIVE)).all()
            return latest_versions(self._load_versions(connection, rows), stages)

        return self._transaction(work)

    def _set_registered_model_tag(self, name, key, value):
        def work(connection):
            self._model_row(connection, name, lock=True)
            connection.execute(delete(model_tags).where(model_tags.c.name == name, model_tags.c.key == key))
            connection.execute(insert(model_tags).values(name=name, key=key, value=value))
            self._touch(connection, name)

        self._transaction(work, write=True)

    def _delete_and_touch(self, name, table, condition):
        """Delete the model's rows of table matching condition; bump the model if any went."""
        def work(connection):
            self._model_row(connection, name, lock=True)
            if connection.execute(delete(table).where(table.c.name == name, condition)).rowcount:
                self._touch(connection, name)

        self._transaction(work, write=True)

    def _delete_registered_model_tag(self, name, key):
        self._delete_and_touch(name, model_tags, model_tags.c.key == key)

    # ---- aliases ---------------------------------------------------------
    def _set_registered_model_alias(self, name, alias, version):
        def work(connection):
            row = self._version_row(connection, name, version, lock=True)
            connection.execute(delete(aliases).where(aliases.c.name == name, aliases.c.alias == alias))
            connection.execute(insert(aliases).values(name=name, alias=alias, version=row.version))
            self._touch(connection, name)

        self._transaction(work, write=True)

    def _delete_registered_model_alias(self, name, alias):
        self._delete_and_touch(name, aliases, aliases.c.alias == alias)

    def _get_model_version_by_alias(self, name, alias):
        def work(connection):
            self._model_row(connection, name)
            number = connection.execute(
                select(aliases.c.version).where(aliases.c.name == name, aliases.c.alias == alias)
            ).scalar()
            if number is None:
                raise alias_not_found(alias)
            return self._get_version(connection, name, number)

        return self._transaction(work)

    # ---- model versions --------------------------------------------------
    def _create_model_version(self, name, source, run_id, tags, run_link, description, model_id, user_id):
        # Outside the transaction: may read this registry or the tracking store.
        self.get_registered_model(name)
        storage_location, run_id = self._resolve_source(source, run_id, model_id)

        def work(connection):
            self._model_row(connection, name, lock=True)
            number = 1 + (connection.execute(select(func.max(versions.c.version)).where(versions.c.name == name)).scalar() or 0)
            now = now_ms()
            connection.execute(insert(versions).values(
                name=name, version=number, creation_time=now, last_updated_time=now, description=description,
                user_id=user_id, current_stage=ModelVersionStage.NONE, source=source, run_id=run_id,
                status=ModelVersionStatus.READY, run_link=run_link, storage_location=storage_location,
            ))
            if tags:
                connection.execute(insert(version_tags), [
                    {"name": name, "version": number, "key": k, "value": v} for k, v in tags.items()
                ])
            self._touch(connection, name, now)
            return self._get_version(connection, name, number)

        return self._transaction(work, write=True)

    def get_model_version(self, name, version):
        return self._transaction(lambda connection: self._get_version(connection, name, version))

    def _update_model_version(self, name, version, description):
        def work(connection):
            row = self._version_row(connection, name, version, lock=True)
            connection.execute(update(versions).where(versions.c.name == name, versions.c.version == row.version)
                               .values(description=description, last_updated_time=now_ms()))
            return self._get_version(connection, name, row.version)

        return self._transaction(work, write=True)

    def _transition_model_version_stage(self, name, version, stage, archive_existing_versions):
        def work(connection):
            row = self._version_row(connection, name, version, lock=True)
            now = now_ms()
            if archive_existing_versions:
                connection.execute(
                    update(versions)
                    .where(versions.c.name == name, versions.c.version != row.version, versions.c.current_stage == stage)
                    .values(current_stage=ModelVersionStage.ARCHIVED, last_updated_time=now)
                )
            connection.execute(update(versions).where(versions.c.name == name, versions.c.version == row.version)
                               .values(current_stage=stage, last_updated_time=now))
            self._touch(connection, name, now)
            return self._get_version(connection, name, row.version)

        return self._transaction(work, write=True)

    def delete_model_version(self, name, version):
        def work(connection):
            row = self._version_row(connection, name, version, lock=True)
            now = now_ms()
            # Keep the row (so the number is never handed out again) but drop what it said.
            connection.execute(
                update(versions).where(versions.c.name == name, versions.c.version == row.version).values(
                    current_stage=ModelVersionStage.DELETED_INTERNAL, last_updated_time=now, description=None,
                    user_id=None, source="REDACTED-SOURCE-PATH", run_id="REDACTED-RUN-ID",
                    run_link="REDACTED-RUN-LINK", status_message=None, storage_location=None,
                )
            )
            connection.execute(delete(version_tags).where(version_tags.c.name == name, version_tags.c.version == row.version))
            connection.execute(delete(aliases).where(aliases.c.name == name, aliases.c.version == row.version))
            self._touch(connection, name, now)

        self._transaction(work, write=True)

    def search_model_versions(self, filter_string=None, max_results=None, order_by=None, page_token=None):
        max_results = self._model_version_max_results(max_results)
        comparisons = search.parse_model_version_filter(filter_string)
        order = search.model_version_order(order_by)
        offset = decode_token(page_token)
        owner = [version_tags.c.name == versions.c.name, version_tags.c.version == versions.c.version]
        conditions = [
            _tag_condition(c, version_tags, owner, self.dialect) if c.entity == TAG
            else _attribute_condition(c, _VERSION_COLUMNS, self.dialect)
            for c in comparisons
        ]
        query = (select(versions).where(_LIVE, *conditions)
                 .order_by(*_order_terms(order, _VERSION_COLUMNS, self.dialect))
                 .offset(offset).limit(max_results + 1))
        return self._page(query, offset, max_results, self._load_versions)

    def _set_model_version_tag(self, name, version, key, value):
        def work(connection):
            row = self._version_row(connection, name, version, lock=True)
            where = and_(version_tags.c.name == name, version_tags.c.version == row.version, version_tags.c.key == key)
            connection.execute(delete(version_tags).where(where))
            connection.execute(insert(version_tags).values(name=name, version=row.version, key=key, value=value))
            self._touch(connection, name)

        self._transaction(work, write=True)

    def _delete_model_version_tag(self, name, version, key):
        def work(connection):
            row = self._version_row(connection, name, version, lock=True)
            deleted = connection.execute(delete(version_tags).where(
                version_tags.c.name == name, version_tags.c.version == row.version, version_tags.c.key == key))
            if deleted.rowcount:
                self._touch(connection, name)

        self._transaction(work, write=True)

    # ---- logged models in the same database --------------------------------
    def _own_logged_model(self, model_id):
        from runtime.store.sql.logged_models import get_logged_model

        return self._transaction(lambda connection: get_logged_model(connection, model_id))
