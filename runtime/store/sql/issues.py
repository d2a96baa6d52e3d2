"""Issues on the SQL store (contract: runtime.store.contract.issues), in mlflow's issues table.

The traces an issue marks are its ``issue`` assessments (named by the issue id), so the
trace count is computed from the assessments table, as mlflow does.
"""

import json
import time
import uuid

from sqlalchemy import case, func, insert, select, update

from runtime.entities import LifecycleStage, PagedList
from runtime.errors import InvalidParameter, NotFound
from runtime.search.filter import ATTRIBUTE, _parse_filter, _Vocabulary
from runtime.search.paging import decode_token, encode_token
from runtime.store.contract.issues import (
    DEFAULT_SEARCH_RESULTS,
    ISSUE_ID_PREFIX,
    SEVERITIES,
    STATUSES,
    IssueStore,
    check_choice,
)
from runtime.store.sql.tables import metadata

issues = metadata.tables["issues"]
assessments = metadata.tables["assessments"]
MAX_SEARCH_RESULTS = 50000

ISSUES_SEARCH = _Vocabulary(
    subject="issue",
    filter_entities=(ATTRIBUTE,),
    order_entities=(),
    string_attributes=("status", "source_run_id"),
    numeric_attributes=(),
    attribute_aliases=(),
    null_entities=(),
    restricted_ops=(("status", ("=", "!=")), ("source_run_id", ("=", "!="))),
)


def _issue_wire(row, trace_count=None):
    out = {"issue_id": row.issue_id, "experiment_id": str(row.experiment_id), "name": row.name,
           "description": row.description, "status": row.status, "created_timestamp": row.created_timestamp,
           "last_updated_timestamp": row.last_updated_timestamp}
    for column in ("severity", "source_run_id", "created_by"):
        if getattr(row, column):
            out[column] = getattr(row, column)
    for column in ("root_causes", "categories"):
        if getattr(row, column):
            out[column] = json.loads(getattr(row, column))
    if trace_count is not None:
        out["trace_count"] = trace_count
    return out


def _json_list(values):
    return json.dumps([str(v) for v in values]) if values else None


class IssuesSqlMixin(IssueStore):
    """Mixed into SqlStore, which provides _transaction and _experiment_row."""

    def create_issue(self, experiment_id, name, description, status=None, severity=None, root_causes=None,
                     source_run_id=None, categories=None, created_by=None):
        check_choice(status, STATUSES, "status")
        check_choice(severity, SEVERITIES, "severity")
        issue_id = ISSUE_ID_PREFIX + uuid.uuid4().hex
        now = int(time.time() * 1000)

        def work(connection):
            experiment = self._experiment_row(connection, experiment_id)
            if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
                raise NotFound(f"No Experiment with id={experiment_id} exists")
            connection.execute(insert(issues).values(
                issue_id=issue_id, experiment_id=experiment.experiment_id, name=name, description=description,
                status=status or "pending", severity=severity, root_causes=_json_list(root_causes),
                source_run_id=source_run_id or None, categories=_json_list(categories),
                created_timestamp=now, last_updated_timestamp=now, created_by=created_by or None))
            return _issue_wire(self._issue_row(connection, issue_id))

        return self._transaction(work, write=True)

    @staticmethod
    def _issue_row(connection, issue_id, lock=False):
        query = select(issues).where(issues.c.issue_id == str(issue_id))
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound(f"Issue with ID '{issue_id}' not found")
        return row

    def get_issue(self, issue_id):
        return self._transaction(lambda connection: _issue_wire(self._issue_row(connection, issue_id)))

    def update_issue(self, issue_id, name=None, description=None, status=None, severity=None):
        check_choice(status, STATUSES, "status")
        check_choice(severity, SEVERITIES, "severity")
        given = {"name": name, "description": description, "status": status, "severity": severity}
        changes = {column: value for column, value in given.items() if value is not None}
        changes["last_updated_timestamp"] = int(time.time() * 1000)

        def work(connection):
            self._issue_row(connection, issue_id, lock=True)
            connection.execute(update(issues).where(issues.c.issue_id == issue_id).values(**changes))
            return _issue_wire(self._issue_row(connection, issue_id))

        return self._transaction(work, write=True)

    def search_issues(self, experiment_id=None, filter_string=None, max_results=None, page_token=None,
                      include_trace_count=False):
        max_results = DEFAULT_SEARCH_RESULTS if max_results is None else max_results
        if isinstance(max_results, bool) or not isinstance(max_results, int) or not 0 < max_results <= MAX_SEARCH_RESULTS:
            raise InvalidParameter(f"Invalid value {max_results} for parameter 'max_results' supplied. It must be "
                                   f"a positive integer at most {MAX_SEARCH_RESULTS}")
        comparisons = _parse_filter(filter_string, ISSUES_SEARCH)
        offset = decode_token(page_token)

        def work(connection):
            trace_count = select(func.count(func.distinct(assessments.c.trace_id))).where(
                assessments.c.name == issues.c.issue_id, assessments.c.assessment_type == "issue",
            ).correlate(issues).scalar_subquery().label("trace_count")
            query = select(issues, trace_count) if include_trace_count else select(issues)
            if experiment_id is not None:
                number = str(experiment_id)
                if not number.isdigit() or len(number) > 18:
                    return PagedList([], None)
                query = query.where(issues.c.experiment_id == int(number))
            for comparison in comparisons:
                column = issues.c[comparison.key]
                query = query.where(column == comparison.value if comparison.op == "=" else column != comparison.value)
            ranks = {severity: rank for rank, severity in enumerate(SEVERITIES)}
            order = [case(ranks, value=issues.c.severity, else_=-1).desc()]
            if include_trace_count:
                order.append(trace_count.desc())
            order += [issues.c.created_timestamp.desc(), issues.c.issue_id.desc()]
            rows = connection.execute(query.order_by(*order).offset(offset).limit(max_results + 1)).fetchall()
            token = encode_token(offset + max_results) if len(rows) > max_results else None
            return PagedList([_issue_wire(row, row.trace_count if include_trace_count else None)
                              for row in rows[:max_results]], token)

        return self._transaction(work)
