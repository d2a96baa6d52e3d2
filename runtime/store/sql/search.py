"""Translate parsed search filters and orderings (runtime.search.filter) into SQL.

The results must equal runtime.search.evaluate's in-memory ones, so the same
rules hold here: a comparison on something the run lacks is false (for '!=' too),
NaN satisfies only '!=', LIKE is case-sensitive with '\\' escaping the next
character, a dataset comparison holds when any dataset input satisfies it, and
sorting puts values first, then NaN, then missing values, whatever the direction.
"""

import math

from sqlalchemy import Column, and_, case, exists, false, func, literal, or_, true

from runtime.search.evaluate import DATASET_CONTEXT_TAG
from runtime.search.filter import ATTRIBUTE, DATASET, METRIC, PARAM, TAG, complete_experiment_order, complete_run_order
from runtime.store.sql.models import (
    VALUE_INDEX_PREFIX,
    SqlDataset,
    SqlExperiment,
    SqlExperimentTag,
    SqlInput,
    SqlInputTag,
    SqlLatestMetric,
    SqlParam,
    SqlRun,
    SqlTag,
)

# Stand-ins for +/-inf in metric columns (MySQL has no infinities), as MLflow stores them.
MAX_DOUBLE = 1.7976931348623157e308
LIKE_ESCAPE = "!"

runs = SqlRun.__table__
experiments = SqlExperiment.__table__
latest_metrics = SqlLatestMetric.__table__
params = SqlParam.__table__
tags = SqlTag.__table__
experiment_tags = SqlExperimentTag.__table__
datasets = SqlDataset.__table__
inputs = SqlInput.__table__
input_tags = SqlInputTag.__table__


def metric_db_value(value):
    """(stored value, is_nan) for a float metric value."""
    if math.isnan(value):
        return 0.0, True
    if math.isinf(value):
        return (MAX_DOUBLE if value > 0 else -MAX_DOUBLE), False
    return value, False


def metric_from_db(value, is_nan):
    if is_nan:
        return float("nan")
    if value >= MAX_DOUBLE:
        return float("inf")
    if value <= -MAX_DOUBLE:
        return float("-inf")
    return float(value)


def _like_tokens(pattern):
    """(is_wildcard, char) pairs of a pattern in the evaluator's dialect ('\\' escapes one character)."""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            yield False, pattern[i + 1]
            i += 2
        else:
            yield char in "%_", char
            i += 1


def like_pattern(pattern):
    """The pattern for LIKE ... ESCAPE LIKE_ESCAPE, which every backend except SQLite honours."""
    return "".join(
        char if wildcard else (LIKE_ESCAPE + char if char in "%_" + LIKE_ESCAPE else char)
        for wildcard, char in _like_tokens(pattern)
    )


_GLOB_WILDCARDS = {"%": "*", "_": "?"}


def glob_pattern(pattern):
    """The pattern for SQLite's GLOB, which (unlike its LIKE) compares case-sensitively."""
    return "".join(
        _GLOB_WILDCARDS[char] if wildcard else (f"[{char}]" if char in "*?[" else char)
        for wildcard, char in _like_tokens(pattern)
    )


def _like(column, pattern, dialect):
    if dialect == "sqlite":
        return column.op("GLOB")(glob_pattern(pattern))
    return column.like(like_pattern(pattern), escape=LIKE_ESCAPE)


def _number(value):
    """A filter number as a bind value: ints stay exact against BIGINT columns."""
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**63 else number


def compare_numbers(column, op, value):
    value = _number(value)
    return {
        "=": lambda: column == value,
        "!=": lambda: column != value,
        "<": lambda: column < value,
        "<=": lambda: column <= value,
        ">": lambda: column > value,
        ">=": lambda: column >= value,
    }[op]()


def compare_strings(column, op, value, dialect):
    if op == "=":
        return column == value
    if op == "!=":
        return column != value
    if op == "LIKE":
        return _like(column, value, dialect)
    if op == "ILIKE":
        # lower() on both sides rather than ILIKE, which MySQL and SQLite lack.
        return _like(func.lower(column), value.lower(), dialect)
    if op == "IN":
        return column.in_(list(value))
    if op == "NOT IN":
        return column.not_in(list(value))
    raise ValueError(f"unsupported string operator {op!r}")


def _value_condition(table, comparison, dialect):
    """Condition on table.value for a param/tag comparison (key already matched)."""
    condition = compare_strings(table.c.value, comparison.op, comparison.value, dialect)
    if dialect == "postgresql" and comparison.op in ("=", "IN"):
        # Implied by the condition; lets PostgreSQL use its (key, substr(value)) index.
        prefixes = {v[:VALUE_INDEX_PREFIX] for v in ((comparison.value,) if comparison.op == "=" else comparison.value)}
        condition = and_(func.substr(table.c.value, 1, VALUE_INDEX_PREFIX).in_(sorted(prefixes)), condition)
    return condition


def _metric_condition(comparison):
    stored, _ = metric_db_value(float(comparison.value))
    value_test = compare_numbers(latest_metrics.c.value, comparison.op, stored)
    if comparison.op == "!=":
        return or_(latest_metrics.c.is_nan == true(), value_test)
    return and_(latest_metrics.c.is_nan == false(), value_test)


def _key_exists(table, owner_column, owner, key, condition=None):
    clauses = [owner_column == owner, table.c.key == key]
    if condition is not None:
        clauses.append(condition)
    return exists().where(*clauses)


def _run_attribute_column(key):
    return {
        "run_id": runs.c.run_uuid,
        "run_name": func.coalesce(runs.c.name, ""),
        "status": runs.c.status,
        "user_id": func.coalesce(runs.c.user_id, ""),
        "artifact_uri": func.coalesce(runs.c.artifact_uri, ""),
        "lifecycle_stage": runs.c.lifecycle_stage,
        "start_time": runs.c.start_time,
        "end_time": runs.c.end_time,
    }[key]


_NUMERIC_RUN_ATTRIBUTES = ("start_time", "end_time")


def _dataset_condition(comparison, dialect):
    run_dataset_links = and_(
        inputs.c.destination_type == "RUN",
        inputs.c.destination_id == runs.c.run_uuid,
        inputs.c.source_type == "DATASET",
    )
    if comparison.key == "context":
        return exists().where(
            run_dataset_links,
            input_tags.c.input_uuid == inputs.c.input_uuid,
            input_tags.c.name == DATASET_CONTEXT_TAG,
            compare_strings(input_tags.c.value, comparison.op, comparison.value, dialect),
        )
    return exists().where(
        run_dataset_links,
        datasets.c.dataset_uuid == inputs.c.source_id,
        compare_strings(datasets.c[comparison.key], comparison.op, comparison.value, dialect),
    )


def _entity_condition(comparison, table, owner_column, owner, dialect):
    """Condition for a tag/param comparison, including IS [NOT] NULL (= key absent/present)."""
    if comparison.op == "IS NULL":
        return ~_key_exists(table, owner_column, owner, comparison.key)
    if comparison.op == "IS NOT NULL":
        return _key_exists(table, owner_column, owner, comparison.key)
    return _key_exists(table, owner_column, owner, comparison.key, _value_condition(table, comparison, dialect))


def run_filter(comparisons, dialect):
    """SQL conditions on the runs table, one per comparison."""
    conditions = []
    for comparison in comparisons:
        entity = comparison.entity
        if entity == METRIC:
            conditions.append(
                _key_exists(
                    latest_metrics, latest_metrics.c.run_uuid, runs.c.run_uuid, comparison.key, _metric_condition(comparison)
                )
            )
        elif entity in (PARAM, TAG):
            table = params if entity == PARAM else tags
            conditions.append(_entity_condition(comparison, table, table.c.run_uuid, runs.c.run_uuid, dialect))
        elif entity == ATTRIBUTE:
            column = _run_attribute_column(comparison.key)
            if comparison.key in _NUMERIC_RUN_ATTRIBUTES:
                conditions.append(compare_numbers(column, comparison.op, comparison.value))
            else:
                conditions.append(compare_strings(column, comparison.op, comparison.value, dialect))
        elif entity == DATASET:
            conditions.append(_dataset_condition(comparison, dialect))
        else:
            raise ValueError(f"unsupported filter entity {entity!r}")
    return conditions


def _text_order(column, dialect):
    # Code point order, as Python sorts strings (PostgreSQL would use the database's locale).
    return column.collate("C") if dialect == "postgresql" else column


def _ordered(rank, value, ascending):
    """Order terms: rank (0 value, 1 NaN, 2 missing) first, then the value in the asked direction."""
    direction = value.asc() if ascending else value.desc()
    return [direction] if rank is None else [rank.asc(), direction]


# Where each database sorts NULL by itself: below every value, or above it.
_NULLS_SORT_LOW = ("sqlite", "mysql", "mariadb")
_NULLS_SORT_HIGH = ("postgresql",)


def _presence_rank(column):
    """A term that puts rows where column is NULL (a missing value) after the others."""
    return case((column.is_(None), 2), else_=0)


def _own_column_rank(column, ascending, dialect):
    """_presence_rank for a column of the selected table itself, or None where it is not needed.

    Not for columns of outer-joined tables: there a NOT NULL column is NULL when nothing joined.
    Leaving the term out matters: an ORDER BY on the bare column can follow an index and stop
    after a page, while the CASE term makes the database sort every matching row.
    """
    if not isinstance(column, Column):
        return _presence_rank(column)  # an expression (run_name's coalesce): it may be NULL
    if not column.nullable:
        return None
    if (dialect in _NULLS_SORT_LOW and not ascending) or (dialect in _NULLS_SORT_HIGH and ascending):
        return None  # the database puts NULL last by itself
    return _presence_rank(column)


def apply_run_order(statement, order_keys, dialect):
    """The statement (selecting from runs) joined and ordered as sort_runs orders runs."""
    terms = []
    for index, order_key in enumerate(complete_run_order(order_keys)):
        if order_key.entity == ATTRIBUTE:
            column = _run_attribute_column(order_key.key)
            rank = _own_column_rank(column, order_key.ascending, dialect)
            value = column if order_key.key in _NUMERIC_RUN_ATTRIBUTES else _text_order(column, dialect)
        else:
            table = {METRIC: latest_metrics, PARAM: params, TAG: tags}[order_key.entity]
            joined = table.alias(f"order_{index}")
            statement = statement.outerjoin(
                joined, and_(joined.c.run_uuid == runs.c.run_uuid, joined.c.key == order_key.key)
            )
            if order_key.entity == METRIC:
                rank = case((joined.c.run_uuid.is_(None), 2), (joined.c.is_nan == true(), 1), else_=0)
                value = joined.c.value
            else:
                rank = _presence_rank(joined.c.run_uuid)
                value = _text_order(joined.c.value, dialect)
        terms.extend(_ordered(rank, value, order_key.ascending))
    return statement.order_by(*terms)


def _experiment_id_condition(op, value):
    """experiment_id compares as text in the evaluator; ours are integers, whose text is canonical."""

    def as_int(text):
        return int(text) if text.isdigit() and str(int(text)) == text else None

    if op in ("=", "!="):
        number = as_int(value)
        if number is None:
            return literal(op == "!=")
        return experiments.c.experiment_id == number if op == "=" else experiments.c.experiment_id != number
    numbers = sorted({n for n in (as_int(v) for v in value) if n is not None})
    if op == "IN":
        return experiments.c.experiment_id.in_(numbers) if numbers else false()
    return experiments.c.experiment_id.not_in(numbers) if numbers else true()


_NUMERIC_EXPERIMENT_ATTRIBUTES = ("creation_time", "last_update_time")


def experiment_filter(comparisons, dialect):
    """SQL conditions on the experiments table, one per comparison."""
    conditions = []
    for comparison in comparisons:
        if comparison.entity == TAG:
            conditions.append(
                _entity_condition(
                    comparison, experiment_tags, experiment_tags.c.experiment_id, experiments.c.experiment_id, dialect
                )
            )
        elif comparison.key == "experiment_id":
            conditions.append(_experiment_id_condition(comparison.op, comparison.value))
        elif comparison.key in _NUMERIC_EXPERIMENT_ATTRIBUTES:
            conditions.append(compare_numbers(experiments.c[comparison.key], comparison.op, comparison.value))
        elif comparison.key == "name":
            conditions.append(compare_strings(experiments.c.name, comparison.op, comparison.value, dialect))
        else:
            raise ValueError(f"unsupported experiment filter {comparison!r}")
    return conditions


def experiment_order(order_keys, dialect):
    """ORDER BY terms matching sort_experiments."""
    terms = []
    for order_key in complete_experiment_order(order_keys):
        column = experiments.c[order_key.key]
        value = _text_order(column, dialect) if order_key.key == "name" else column
        terms.extend(_ordered(_own_column_rank(column, order_key.ascending, dialect), value, order_key.ascending))
    return terms

