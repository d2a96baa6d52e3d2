"""Traces in the SQL store: trace infos, tags, metadata, spans, assessments, run links and scorers.

TraceSqlStoreMixin needs the host (SqlStore) to provide ``_transaction(work,
write)``, ``dialect``, ``get_experiment`` and ``get_run``. Trace searches are
translated to SQL with the same results as runtime.tracing.filter_eval gives
the file store: a comparison on a missing tag or value is false (for '!=' too),
LIKE is case-sensitive, and sorting puts missing values last.
"""

import json
import uuid

from sqlalchemy import and_, case, delete, exists, func, insert, not_, or_, select, update
from sqlalchemy.exc import IntegrityError

from runtime.entities import PagedList
from runtime.errors import NotFound
from runtime.search.paging import decode_token, encode_token
from runtime.store.sql.batch import insert_ignoring_duplicates, replace_key_values
from runtime.store.sql.entities import chunks
from runtime.store.sql.models_traces import (
    SqlAssessment,
    SqlScorer,
    SqlScorerVersion,
    SqlSpan,
    SqlTraceInfo,
    SqlTraceMetadata,
    SqlEntityAssociation,
    SqlTraceTag,
)
from runtime.store.sql.search import compare_numbers, compare_strings
from runtime.store.contract.traces import (
    INFO_FINALIZED,
    UNSET,
    AssessmentStore,
    ScorerStore,
    TraceStore,
    check_active,
    check_delete_args,
    check_link_args,
    check_scorer_args,
    check_search_args,
    check_trace_info,
    info_after_spans,
    now_ms,
    parse_serialized_scorer,
    prepare_new_assessment,
    trace_artifact_location,
    updated_assessment,
)
from runtime.validation import (
    validate_assessment_id,
    validate_experiment_id,
    validate_key,
    validate_trace_id,
    validate_trace_tag,
)

trace_info = SqlTraceInfo.__table__
trace_tags = SqlTraceTag.__table__
trace_metadata = SqlTraceMetadata.__table__
assessments = SqlAssessment.__table__
spans_table = SqlSpan.__table__
associations = SqlEntityAssociation.__table__
# A trace linked to a run is an entity_associations row (trace -> run), as mlflow keeps it.
TRACE_ENTITY, RUN_ENTITY = "trace", "run"
scorers = SqlScorer.__table__
scorer_versions = SqlScorerVersion.__table__

SOURCE_RUN = "mlflow.sourceRun"
TRACE_NAME = "mlflow.traceName"

_ATTRIBUTE_COLUMNS = {
    "trace_id": trace_info.c.request_id,
    "client_request_id": trace_info.c.client_request_id,
    "state": trace_info.c.status,
    "timestamp_ms": trace_info.c.timestamp_ms,
    "execution_time_ms": trace_info.c.execution_time_ms,
    "end_time_ms": trace_info.c.timestamp_ms + trace_info.c.execution_time_ms,
    "experiment_id": trace_info.c.experiment_id,
}
_NUMERIC = ("timestamp_ms", "execution_time_ms", "end_time_ms", "experiment_id")


def _experiment_number(experiment_id):
    text = validate_experiment_id(experiment_id)
    if not text.isdigit() or len(text) > 18:
        raise NotFound(f"No Experiment with id={experiment_id} exists")
    return int(text)


# ---------------------------------------------------------------- rows <-> entities
def _assessment_row(assessment, experiment_trace_id):
    return {
        "assessment_id": assessment.assessment_id,
        "trace_id": experiment_trace_id,
        "name": assessment.name,
        "assessment_type": assessment.kind,
        "value": json.dumps(assessment.value),
        "error": json.dumps(assessment.error) if assessment.error else None,
        "created_timestamp": assessment.create_time_ms,
        "last_updated_timestamp": assessment.last_update_time_ms,
        "source_type": assessment.source.source_type,
        "source_id": assessment.source.source_id,
        "span_id": assessment.span_id,
        "rationale": assessment.rationale,
        "overrides": assessment.overrides,
        "valid": bool(assessment.valid),
        "assessment_metadata": json.dumps(assessment.metadata) if assessment.metadata else None,
    }


def _assessment_from_row(row):
    from runtime.tracing.entities import Assessment, AssessmentSource

    return Assessment(
        name=row.name,
        kind=row.assessment_type,
        value=json.loads(row.value) if row.value is not None else None,
        trace_id=row.trace_id,
        source=AssessmentSource(row.source_type, row.source_id or "default"),
        rationale=row.rationale,
        metadata=json.loads(row.assessment_metadata) if row.assessment_metadata else None,
        span_id=row.span_id,
        error=json.loads(row.error) if row.error else None,
        create_time_ms=row.created_timestamp,
        last_update_time_ms=row.last_updated_timestamp,
        assessment_id=row.assessment_id,
        valid=bool(row.valid),
        overrides=row.overrides,
    )


def _span_row(span, trace_id, experiment_number):
    return {
        "trace_id": trace_id,
        "experiment_id": experiment_number,
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "name": span.name,
        "type": str(span.span_type) if span.span_type is not None else None,
        "status": span.status_code,
        "start_time_unix_nano": span.start_time_unix_nano,
        "end_time_unix_nano": span.end_time_unix_nano,
        "content": json.dumps(span.to_dict(), ensure_ascii=False),
    }


def _load_infos(connection, ids):
    """{trace id: TraceInfo} with tags, metadata and assessments, for the ids that exist."""
    from runtime.tracing.entities import TraceInfo

    infos = {}
    for part in chunks(ids):
        for row in connection.execute(select(trace_info).where(trace_info.c.request_id.in_(part))):
            infos[row.request_id] = TraceInfo(
                trace_id=row.request_id, experiment_id=str(row.experiment_id), request_time=row.timestamp_ms,
                state=row.status, execution_duration=row.execution_time_ms, request_preview=row.request_preview,
                response_preview=row.response_preview, client_request_id=row.client_request_id)
        for table, attribute in ((trace_tags, "tags"), (trace_metadata, "trace_metadata")):
            query = select(table.c.request_id, table.c.key, table.c.value).where(table.c.request_id.in_(part))
            for row in connection.execute(query):
                if row.request_id in infos:
                    getattr(infos[row.request_id], attribute)[row.key] = row.value or ""
        query = (select(assessments).where(assessments.c.trace_id.in_(part))
                 .order_by(assessments.c.created_timestamp, assessments.c.assessment_id))
        for row in connection.execute(query):
            if row.trace_id in infos:
                infos[row.trace_id].assessments.append(_assessment_from_row(row))
    return infos


# ---------------------------------------------------------------- search translation
def _key_value_exists(table, key, condition=None):
    clauses = [table.c.request_id == trace_info.c.request_id, table.c.key == key]
    if condition is not None:
        clauses.append(condition)
    return exists().where(*clauses)


def _run_condition(comparison, dialect):
    op, value = comparison.op, comparison.value
    negated = op in ("!=", "NOT IN")
    positive = {"!=": "=", "NOT IN": "IN"}.get(op, op)
    from_metadata = _key_value_exists(trace_metadata, SOURCE_RUN,
                                      compare_strings(trace_metadata.c.value, positive, value, dialect))
    from_links = exists().where(associations.c.source_type == TRACE_ENTITY,
                                associations.c.source_id == trace_info.c.request_id,
                                associations.c.destination_type == RUN_ENTITY,
                                compare_strings(associations.c.destination_id, positive, value, dialect))
    condition = or_(from_metadata, from_links)
    return not_(condition) if negated else condition


def _condition(comparison, dialect):
    from runtime.tracing.filter import ATTRIBUTE, METADATA, RUN, TAG, TEXT

    entity, key, op, value = comparison.entity, comparison.key, comparison.op, comparison.value
    if entity == RUN:
        return _run_condition(comparison, dialect)
    if entity == TEXT:  # any span of the trace whose JSON matches
        return exists().where(spans_table.c.trace_id == trace_info.c.request_id,
                              compare_strings(spans_table.c.content, op, value, dialect))
    if entity in (TAG, METADATA):
        table = trace_tags if entity == TAG else trace_metadata
        if op == "IS NULL":
            return not_(_key_value_exists(table, key))
        if op == "IS NOT NULL":
            return _key_value_exists(table, key)
        return _key_value_exists(table, key, compare_strings(table.c.value, op, value, dialect))
    if entity == ATTRIBUTE:
        column = _ATTRIBUTE_COLUMNS[key]
        if key in _NUMERIC:
            return and_(column.is_not(None), compare_numbers(column, op, value))
        return and_(column.is_not(None), compare_strings(column, op, value, dialect))
    raise ValueError(entity)


def _text_order(column, dialect):
    return column.collate("C") if dialect == "postgresql" else column


def _ordered_query(query, order_keys, dialect):
    from runtime.tracing.filter import complete_trace_order

    terms = []
    for index, order in enumerate(complete_trace_order(order_keys)):
        if order.key == "name":
            alias = trace_tags.alias(f"order_name_{index}")
            query = query.outerjoin(alias, and_(alias.c.request_id == trace_info.c.request_id,
                                                alias.c.key == TRACE_NAME))
            column = _text_order(alias.c.value, dialect)
        else:
            column = _ATTRIBUTE_COLUMNS[order.key]
            if order.key not in _NUMERIC:
                column = _text_order(column, dialect)
        terms.append(case((column.is_(None), 1), else_=0).asc())
        terms.append(column.asc() if order.ascending else column.desc())
    return query.order_by(*terms)


class TraceSqlStoreMixin(TraceStore, AssessmentStore, ScorerStore):
    """TraceStore, AssessmentStore and ScorerStore methods for the SQL tracking store."""

    # ---------------------------------------------------------------- helpers
    def _trace_row(self, connection, trace_id, lock=False):
        query = select(trace_info).where(trace_info.c.request_id == validate_trace_id(trace_id))
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound(f"Trace with ID '{trace_id}' not found")
        return row

    def _active_experiment_for_traces(self, experiment_id):
        return check_active(self.get_experiment(experiment_id))

    @staticmethod
    def _info_columns(info):
        return {"experiment_id": int(info.experiment_id), "timestamp_ms": int(info.request_time),
                "execution_time_ms": info.execution_duration, "status": info.state,
                "client_request_id": info.client_request_id, "request_preview": info.request_preview,
                "response_preview": info.response_preview}

    def _upsert_info(self, connection, info):
        """Insert the trace row, or update it when another writer created it first."""
        columns = self._info_columns(info)
        try:
            with connection.begin_nested():
                connection.execute(insert(trace_info).values(request_id=info.trace_id, **columns))
        except IntegrityError:
            connection.execute(update(trace_info).where(trace_info.c.request_id == info.trace_id).values(**columns))
        replace_key_values(connection, trace_tags, "request_id", info.trace_id, info.tags)
        replace_key_values(connection, trace_metadata, "request_id", info.trace_id, info.trace_metadata)

    # ---------------------------------------------------------------- trace info
    def start_trace(self, trace_info_entity):
        info = trace_info_entity
        check_trace_info(info)
        experiment = self._active_experiment_for_traces(info.experiment_id)
        tags = dict(info.tags)
        tags["mlflow.artifactLocation"] = trace_artifact_location(experiment.artifact_location, info.trace_id)
        metadata = {**info.trace_metadata, INFO_FINALIZED: "true"}

        def work(connection):
            import dataclasses

            existing = _load_infos(connection, [info.trace_id]).get(info.trace_id)
            merged = dataclasses.replace(info, tags=tags, trace_metadata=metadata, assessments=[])
            if existing is not None:
                merged.tags = {**existing.tags, **tags}
                merged.trace_metadata = {**existing.trace_metadata, **metadata}
            self._upsert_info(connection, merged)

        self._transaction(work, write=True)
        for assessment in info.assessments:
            assessment.trace_id = info.trace_id
            self.create_assessment(assessment)
        return self.get_trace_info(info.trace_id)

    def get_trace_info(self, trace_id):
        validate_trace_id(trace_id)
        info = self._transaction(lambda connection: _load_infos(connection, [trace_id]).get(trace_id))
        if info is None:
            raise NotFound(f"Trace with ID '{trace_id}' not found")
        return info

    def batch_get_trace_infos(self, trace_ids, experiment_ids=None):
        ids = [validate_trace_id(t) for t in trace_ids]
        found = self._transaction(lambda connection: _load_infos(connection, ids))
        wanted = {str(e) for e in experiment_ids or ()}
        return [found[t] for t in dict.fromkeys(ids) if t in found and (not wanted or found[t].experiment_id in wanted)]

    def search_traces(self, experiment_ids, filter_string=None, max_results=None, order_by=None, page_token=None,
                      model_id=None):
        from runtime.tracing.filter import parse_trace_filter, parse_trace_order_by

        experiment_ids, limit = check_search_args(experiment_ids, max_results)
        comparisons = parse_trace_filter(filter_string)
        order_keys = parse_trace_order_by(order_by)
        offset = decode_token(page_token)
        numbers = [int(e) for e in experiment_ids if e.isdigit() and len(e) <= 18]
        dialect = self.dialect
        conditions = [_condition(c, dialect) for c in comparisons]
        if model_id:
            conditions.append(_key_value_exists(trace_metadata, "mlflow.modelId", trace_metadata.c.value == model_id))
        query = select(trace_info.c.request_id).where(trace_info.c.experiment_id.in_(numbers), *conditions)
        query = _ordered_query(query, order_keys, dialect).offset(offset).limit(limit + 1)

        def work(connection):
            ids = list(connection.execute(query).scalars())
            page = ids[:limit]
            infos = _load_infos(connection, page)
            return [infos[i] for i in page if i in infos], len(ids) > limit

        items, more = self._transaction(work)
        return PagedList(items, encode_token(offset + limit) if more else None)

    def set_trace_tag(self, trace_id, key, value):
        value = validate_trace_tag(key, value)

        def work(connection):
            self._trace_row(connection, trace_id)
            replace_key_values(connection, trace_tags, "request_id", trace_id, {key: value})

        self._transaction(work, write=True)

    def delete_trace_tag(self, trace_id, key):
        validate_key(key, "trace tag name")

        def work(connection):
            self._trace_row(connection, trace_id)
            result = connection.execute(delete(trace_tags).where(trace_tags.c.request_id == trace_id,
                                                                 trace_tags.c.key == key))
            if result.rowcount == 0:
                raise NotFound(f"No tag with name: {key} in trace with ID {trace_id}.")

        self._transaction(work, write=True)

    def delete_traces(self, experiment_id, max_timestamp_millis=None, max_traces=None, trace_ids=None):
        check_delete_args(max_timestamp_millis, max_traces, trace_ids)
        self.get_experiment(experiment_id)
        number = _experiment_number(experiment_id)

        def work(connection):
            if trace_ids:
                query = select(trace_info.c.request_id).where(trace_info.c.experiment_id == number,
                                                              trace_info.c.request_id.in_(list(set(trace_ids))))
            else:
                query = (select(trace_info.c.request_id)
                         .where(trace_info.c.experiment_id == number,
                                trace_info.c.timestamp_ms <= int(max_timestamp_millis))
                         .order_by(trace_info.c.timestamp_ms, trace_info.c.request_id))
                if max_traces is not None:
                    query = query.limit(int(max_traces))
            doomed = list(connection.execute(query).scalars())
            for part in chunks(doomed):
                # Children first: correct even where foreign keys are not enforced.
                for table, column in ((trace_tags, "request_id"), (trace_metadata, "request_id"),
                                      (assessments, "trace_id"), (spans_table, "trace_id"),
                                      (trace_info, "request_id")):
                    connection.execute(delete(table).where(table.c[column].in_(part)))
                connection.execute(delete(associations).where(associations.c.source_type == TRACE_ENTITY,
                                                              associations.c.source_id.in_(part)))
            return len(doomed)

        return self._transaction(work, write=True)

    def link_traces_to_run(self, trace_ids, run_id):
        trace_ids = check_link_args(trace_ids, run_id)
        self.get_run(run_id)
        if not trace_ids:
            return

        def work(connection):
            for trace_id in trace_ids:
                self._trace_row(connection, trace_id)
            stamp = now_ms()
            rows = [{"association_id": uuid.uuid4().hex, "source_type": TRACE_ENTITY, "source_id": t,
                     "destination_type": RUN_ENTITY, "destination_id": run_id, "created_time": stamp}
                    for t in dict.fromkeys(trace_ids)]
            insert_ignoring_duplicates(connection, self.dialect, associations, rows)

        self._transaction(work, write=True)

    # ---------------------------------------------------------------- spans
    def get_spans(self, trace_id):
        from runtime.tracing.entities import Span

        validate_trace_id(trace_id)
        query = (select(spans_table.c.content).where(spans_table.c.trace_id == trace_id)
                 .order_by(spans_table.c.start_time_unix_nano, spans_table.c.span_id))
        contents = self._transaction(lambda connection: list(connection.execute(query).scalars()))
        if not contents:
            return None
        return [Span.from_dict(json.loads(c)) for c in contents]

    def log_spans(self, experiment_id, spans):
        from runtime.tracing.build import group_by_trace, merge_spans
        from runtime.tracing.entities import Span, SpansLocation, TagKey

        groups = group_by_trace(spans)
        for trace_id in groups:
            validate_trace_id(trace_id)
        experiment = self.get_experiment(experiment_id)
        for trace_id, trace_spans in groups.items():

            def work(connection, trace_id=trace_id, trace_spans=trace_spans):
                existing = _load_infos(connection, [trace_id]).get(trace_id)
                if existing is None:
                    check_active(experiment)
                    owner = experiment_id
                else:
                    owner = existing.experiment_id
                number = _experiment_number(owner)
                stored = connection.execute(select(spans_table.c.content).where(spans_table.c.trace_id == trace_id))
                old = [Span.from_dict(json.loads(c)) for c in stored.scalars()]
                all_spans = merge_spans(old, trace_spans)
                info = info_after_spans(existing, trace_id, experiment, all_spans)
                info.tags[TagKey.SPANS_LOCATION] = SpansLocation.TRACKING_STORE
                self._upsert_info(connection, info)
                incoming = {s.span_id for s in trace_spans}
                for part in chunks(incoming):
                    connection.execute(delete(spans_table).where(spans_table.c.trace_id == trace_id,
                                                                 spans_table.c.span_id.in_(part)))
                rows = [_span_row(s, trace_id, number) for s in all_spans if s.span_id in incoming]
                connection.execute(insert(spans_table), rows)

            self._transaction(work, write=True)
        return list(spans)

    # ---------------------------------------------------------------- assessments
    def _assessment(self, connection, trace_id, assessment_id):
        validate_assessment_id(assessment_id)
        row = connection.execute(select(assessments).where(assessments.c.assessment_id == assessment_id,
                                                           assessments.c.trace_id == trace_id)).first()
        if row is None:
            raise NotFound(f"Assessment with ID '{assessment_id}' not found for trace '{trace_id}'")
        return _assessment_from_row(row)

    def _write_assessment(self, connection, assessment):
        connection.execute(delete(assessments).where(assessments.c.assessment_id == assessment.assessment_id))
        connection.execute(insert(assessments).values(**_assessment_row(assessment, assessment.trace_id)))

    def create_assessment(self, assessment):
        prepare_new_assessment(assessment)

        def work(connection):
            self._trace_row(connection, assessment.trace_id)
            if assessment.overrides:
                original = self._assessment(connection, assessment.trace_id, assessment.overrides)
                original.valid = False
                self._write_assessment(connection, original)
            self._write_assessment(connection, assessment)

        self._transaction(work, write=True)
        return assessment

    def get_assessment(self, trace_id, assessment_id):
        def work(connection):
            self._trace_row(connection, trace_id)
            return self._assessment(connection, trace_id, assessment_id)

        return self._transaction(work)

    def update_assessment(self, trace_id, assessment_id, name=None, value=UNSET, rationale=None, metadata=None,
                          error=None):
        def work(connection):
            self._trace_row(connection, trace_id)
            existing = self._assessment(connection, trace_id, assessment_id)
            updated = updated_assessment(existing, name, value, rationale, metadata, error)
            self._write_assessment(connection, updated)
            return updated

        return self._transaction(work, write=True)

    def delete_assessment(self, trace_id, assessment_id):
        validate_assessment_id(assessment_id)

        def work(connection):
            self._trace_row(connection, trace_id)
            try:
                doomed = self._assessment(connection, trace_id, assessment_id)
            except NotFound:
                return
            connection.execute(delete(assessments).where(assessments.c.assessment_id == assessment_id))
            if doomed.overrides:
                connection.execute(update(assessments)
                                   .where(assessments.c.assessment_id == doomed.overrides,
                                          assessments.c.trace_id == trace_id)
                                   .values(valid=True, last_updated_timestamp=now_ms()))

        self._transaction(work, write=True)

    # ---------------------------------------------------------------- scorers
    def register_scorer(self, experiment_id, name, serialized_scorer):
        from runtime.tracing.entities import ScorerVersion

        check_scorer_args(experiment_id, name)
        parse_serialized_scorer(serialized_scorer)
        self._active_experiment_for_traces(experiment_id)
        number = _experiment_number(experiment_id)

        def work(connection):
            scorer_id = connection.execute(select(scorers.c.scorer_id).where(
                scorers.c.experiment_id == number, scorers.c.scorer_name == name)).scalar()
            if scorer_id is None:
                scorer_id = str(uuid.uuid4())
                connection.execute(insert(scorers).values(scorer_id=scorer_id, experiment_id=number, scorer_name=name))
            latest = connection.execute(select(func.max(scorer_versions.c.scorer_version))
                                        .where(scorer_versions.c.scorer_id == scorer_id)).scalar()
            version = ScorerVersion(str(experiment_id), name, (latest or 0) + 1, serialized_scorer, now_ms(), scorer_id)
            connection.execute(insert(scorer_versions).values(
                scorer_id=scorer_id, scorer_version=version.version, serialized_scorer=serialized_scorer,
                creation_time=version.creation_time))
            return version

        return self._transaction(work, write=True)

    def list_scorer_versions(self, experiment_id, name=None):
        from runtime.tracing.entities import ScorerVersion

        number = _experiment_number(experiment_id)
        query = (select(scorers.c.scorer_name, scorers.c.scorer_id, scorer_versions.c.scorer_version,
                        scorer_versions.c.serialized_scorer, scorer_versions.c.creation_time)
                 .join(scorer_versions, scorer_versions.c.scorer_id == scorers.c.scorer_id)
                 .where(scorers.c.experiment_id == number)
                 .order_by(scorers.c.scorer_name, scorer_versions.c.scorer_version))
        if name is not None:
            query = query.where(scorers.c.scorer_name == name)
        rows = self._transaction(lambda connection: list(connection.execute(query)))
        return [ScorerVersion(str(experiment_id), r.scorer_name, r.scorer_version, r.serialized_scorer,
                              r.creation_time, r.scorer_id) for r in rows]

    def delete_scorer(self, experiment_id, name, version=None):
        check_scorer_args(experiment_id, name)
        number = _experiment_number(experiment_id)

        def work(connection):
            scorer_id = connection.execute(select(scorers.c.scorer_id).where(
                scorers.c.experiment_id == number, scorers.c.scorer_name == name)).scalar()
            if scorer_id is None:
                raise NotFound(f"No scorer {name!r} in experiment {experiment_id}")
            condition = scorer_versions.c.scorer_id == scorer_id
            if version is not None:
                condition = and_(condition, scorer_versions.c.scorer_version == int(version))
            if connection.execute(delete(scorer_versions).where(condition)).rowcount == 0:
                raise NotFound(f"No version {version} of scorer {name!r} in experiment {experiment_id}")
            left = connection.execute(select(func.count()).select_from(scorer_versions)
                                      .where(scorer_versions.c.scorer_id == scorer_id)).scalar()
            if not left:
                connection.execute(delete(scorers).where(scorers.c.scorer_id == scorer_id))

        self._transaction(work, write=True)

