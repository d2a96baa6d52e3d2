"""Bring a database to exactly the schema of tables.py, in place, keeping every row.

The head revision of the chain runs this. It serves every way into the head: a
database of any earlier revision of mlflow's chain (from 1.x on), one made by an
earlier mlf release (revisions 0001_tracking to 0003_traces), or one that alembic
never stamped. Instead of replaying each historical step it compares what is
there with what must be there, table by table:

- a missing table is created;
- a table whose columns, keys or constraints differ is rebuilt: a new table is
  made under a temporary name, the rows are copied across (new columns take their
  default or a neutral value), the old table is dropped and the new one renamed;
- indexes are then added or dropped by name, and foreign keys added last.

Run twice, the second run finds nothing to do. On sqlite and PostgreSQL it all
happens inside the migration's one transaction.
"""

import re
import uuid

from sqlalchemy import (
    CheckConstraint,
    MetaData,
    Table,
    case,
    func,
    insert,
    inspect,
    literal,
    select,
    true,
)
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

from runtime.store.sql.coltypes import ExactString, ExactText, mysql_binary_collation
from runtime.store.sql.models import include_object_for
from runtime.store.sql.tables import (
    DEFAULT_WORKSPACE,
    DEFAULT_WORKSPACE_DESCRIPTION,
    DIALECT_NULLABLE,
    apply_dialect_quirks,
)

_TEMPORARY_PREFIX = "_mlf_new_"
# Tables of earlier mlf releases that mlflow's schema has no place for; their rows move first.
_LEGACY_TABLES = ("trace_run_links",)


def target_metadata():
    # Every area's tables and mlf's extra indexes hang off the one metadata.
    import runtime.store.sql.models_registry  # noqa: F401
    import runtime.store.sql.models_traces  # noqa: F401
    from runtime.store.sql.models import Base

    return Base.metadata


# ---------------------------------------------------------------- comparing


def _family(dialect):
    return "mysql" if dialect.name in ("mysql", "mariadb") else dialect.name

_MYSQL_TYPE_ALIASES = {"BOOL": "BOOLEAN", "TINYINT(1)": "BOOLEAN", "JSON": "LONGTEXT", "FLOAT(53)": "DOUBLE"}
_PG_TYPE_ALIASES = {"FLOAT(53)": "DOUBLE PRECISION", "FLOAT": "DOUBLE PRECISION", "SERIAL": "INTEGER",
                    "BIGSERIAL": "BIGINT"}


def _type_name(column_type, dialect):
    rendered = column_type.compile(dialect=dialect)
    rendered = re.sub(r"\s+(CHARACTER SET|COLLATE)\s+\w+", "", rendered).strip().upper()
    if dialect.name in ("mysql", "mariadb"):
        rendered = _MYSQL_TYPE_ALIASES.get(rendered, rendered)
        return re.sub(r"^(INTEGER|BIGINT|INT)\(\d+\)$", r"\1", rendered).replace("INT", "INTEGER") \
            if rendered.startswith("INT(") else re.sub(r"^(INTEGER|BIGINT)\(\d+\)$", r"\1", rendered)
    if dialect.name == "postgresql":
        return _PG_TYPE_ALIASES.get(rendered, rendered)
    return rendered


def _default_text(value):
    if value is None:
        return None
    value = str(value).strip()
    value = re.sub(r"::[\w ]+$", "", value).strip("()").strip("'")
    return {"false": "0", "true": "1"}.get(value.lower(), value)


def _target_default(column, dialect):
    default = column.server_default
    if default is None:
        return None
    argument = default.arg
    if isinstance(argument, str):
        return _default_text(argument)
    return _default_text(argument.compile(dialect=dialect))


def _column_difference(table, reflected_columns, dialect):
    reflected = {c["name"]: c for c in reflected_columns}
    if set(reflected) != set(table.c.keys()):
        return f"columns {sorted(reflected)} != {sorted(table.c.keys())}"
    for column in table.c:
        found = reflected[column.name]
        if _type_name(found["type"], dialect) != _type_name(column.type, dialect):
            return f"{column.name} type {_type_name(found['type'], dialect)} != {_type_name(column.type, dialect)}"
        if _family(dialect) == "mysql" and isinstance(column.type, (ExactString, ExactText)) \
                and getattr(found["type"], "collation", None) != mysql_binary_collation(dialect):
            # Foreign keys need equal collations on both ends, and mlf's text compares by code point.
            return f"{column.name} collation {getattr(found['type'], 'collation', None)}"
        if bool(found.get("computed")) != (column.computed is not None):
            return f"{column.name} generated or not"
        nullable = DIALECT_NULLABLE.get((_family(dialect), table.name, column.name), column.nullable)
        if bool(found["nullable"]) != bool(nullable):
            return f"{column.name} nullable"
        if column.autoincrement is not True and column.computed is None and _default_text(found.get("default")) != _target_default(column, dialect):
            return f"{column.name} default {found.get('default')!r} != {_target_default(column, dialect)!r}"
    return None


def _fk_signature(columns, referred_table, referred_columns, ondelete, onupdate):
    return (tuple(columns), referred_table, tuple(referred_columns), (ondelete or "").upper(), (onupdate or "").upper())


def _target_fks(table):
    return {
        _fk_signature([e.parent.name for e in fk.elements], fk.elements[0].column.table.name,
                      [e.column.name for e in fk.elements], fk.ondelete, fk.onupdate): fk
        for fk in table.foreign_key_constraints
    }


def _reflected_fks(inspector, name):
    found = {}
    for fk in inspector.get_foreign_keys(name):
        options = fk.get("options") or {}
        signature = _fk_signature(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"],
                                  options.get("ondelete"), options.get("onupdate"))
        found[signature] = fk.get("name")
    return found


def _check_applies(constraint, dialect):
    if getattr(constraint, "_type_bound", False):
        return dialect.name != "postgresql"  # a boolean's check: PostgreSQL has a real boolean type
    condition = getattr(constraint, "_ddl_if", None)
    wanted = condition.dialect if condition is not None else None
    return wanted is None or _family(dialect) in ((wanted,) if isinstance(wanted, str) else wanted)


def _target_checks(table, dialect):
    return [c for c in table.constraints if isinstance(c, CheckConstraint) and _check_applies(c, dialect)]


def _named_by_database(name):
    # Unnamed checks: sqlite reports no name, PostgreSQL makes <table>_<column>_check, MariaDB CONSTRAINT_<n>.
    return not name or name.endswith("_check") or name.startswith("CONSTRAINT_")


def _check_difference(table, inspector, dialect):
    try:
        found = inspector.get_check_constraints(table.name)
    except NotImplementedError:
        return None
    wanted = _target_checks(table, dialect)
    if len(found) != len(wanted):
        return f"{len(found)} check constraints, not {len(wanted)}"
    names = {c.name for c in wanted if c.name}
    strangers = [c.get("name") for c in found if c.get("name") not in names and not _named_by_database(c.get("name"))]
    return f"check constraints {strangers}" if strangers else None


def shape_difference(table, inspector, dialect):
    """Why the table in the database must be rebuilt to match table (None: it need not be)."""
    name = table.name
    reason = _column_difference(table, inspector.get_columns(name), dialect)
    if reason:
        return reason
    pk = inspector.get_pk_constraint(name)
    if list(pk["constrained_columns"]) != [c.name for c in table.primary_key.columns]:
        return "primary key columns"
    if _family(dialect) != "mysql" and table.primary_key.name is not None and pk.get("name") != table.primary_key.name:
        return "primary key name"
    # sqlite may not report the names of unique constraints; the servers always do.
    named = dialect.name != "sqlite"
    want_uniques = [(u.name if named else None, tuple(c.name for c in u.columns)) for u in table.constraints
                    if u.__class__.__name__ == "UniqueConstraint"]
    if _family(dialect) == "mysql":  # MySQL reports unique indexes as unique constraints
        want_uniques += [(i.name, tuple(c.name for c in i.columns)) for i in table.indexes if i.unique]
    got_uniques = [(u.get("name") if named else None, tuple(u["column_names"]))
                   for u in inspector.get_unique_constraints(name)]
    want_uniques, got_uniques = sorted(want_uniques, key=str), sorted(got_uniques, key=str)
    if want_uniques != got_uniques:
        return "unique constraints"
    reason = _check_difference(table, inspector, dialect)
    if reason:
        return reason
    if dialect.name == "sqlite" and set(_reflected_fks(inspector, name)) != set(_target_fks(table)):
        return "foreign keys"  # sqlite cannot add or drop a foreign key in place
    return None


# ---------------------------------------------------------------- acting


def _quote(connection, name):
    return connection.dialect.identifier_preparer.quote(name)


def _drop_foreign_key(connection, table_name, fk_name):
    keyword = "FOREIGN KEY" if connection.dialect.name in ("mysql", "mariadb") else "CONSTRAINT"
    connection.exec_driver_sql(f"ALTER TABLE {_quote(connection, table_name)} DROP {keyword} {_quote(connection, fk_name)}")


def _free_names(connection, inspector, name):
    """Drop what of the old table would clash with the new one's names (PostgreSQL: index and key names)."""
    dialect = connection.dialect.name
    quoted = _quote(connection, name)
    if dialect == "postgresql":
        indexes = [index["name"] for index in inspector.get_indexes(name)]
        for unique in inspector.get_unique_constraints(name):
            connection.exec_driver_sql(f"ALTER TABLE {quoted} DROP CONSTRAINT IF EXISTS {_quote(connection, unique['name'])}")
        pk = inspector.get_pk_constraint(name)
        if pk.get("name"):
            connection.exec_driver_sql(f"ALTER TABLE {quoted} DROP CONSTRAINT IF EXISTS {_quote(connection, pk['name'])}")
        for index in indexes:  # those that backed a constraint went with it
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {_quote(connection, index)}")
    if dialect in ("postgresql", "mysql", "mariadb"):
        for check in inspector.get_check_constraints(name):
            if check.get("name"):
                connection.exec_driver_sql(f"ALTER TABLE {quoted} DROP CONSTRAINT {_quote(connection, check['name'])}")


def _neutral_value(column):
    python_type = None
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        pass
    if python_type is bool:
        return literal(False)
    if python_type in (int, float):
        return literal(0)
    return literal("")


def _copy_expression(table, column, old, old_columns):
    """What the new table's column is filled with from a row of the old one (None: its default)."""
    if column.computed is not None:
        return None  # the database computes it
    special = _SPECIAL_COPIES.get((table.name, column.name))
    if special is not None:
        return special(old, old_columns)
    if column.name in old_columns:
        value = old.c[column.name]
        if not column.nullable and old_columns[column.name]["nullable"]:
            fallback = _default_literal(column) if column.server_default is not None else _neutral_value(column)
            return func.coalesce(value, fallback)
        return value
    if column.server_default is not None or column.nullable or column.autoincrement is True:
        return None  # its server default, NULL or the next number
    return _neutral_value(column)


def _default_literal(column):
    argument = column.server_default.arg
    return literal(argument) if isinstance(argument, str) else argument


def _metric_value(old, old_columns):
    # Very old databases allowed NULL values; the head stores them as NaN (0 with is_nan).
    return func.coalesce(old.c.value, literal(0.0))


def _metric_is_nan(old, old_columns):
    if "is_nan" not in old_columns:
        return case((old.c.value.is_(None), true()), else_=literal(False))
    return case((old.c.value.is_(None), true()), else_=old.c.is_nan)


def _assessment_value(old, old_columns):
    if "value" not in old_columns:
        return literal("null")
    return func.coalesce(old.c.value, literal("null"))


_SPECIAL_COPIES = {
    ("metrics", "value"): _metric_value,
    ("metrics", "is_nan"): _metric_is_nan,
    ("latest_metrics", "value"): _metric_value,
    ("latest_metrics", "is_nan"): _metric_is_nan,
    ("assessments", "value"): _assessment_value,
}


def _rebuild(connection, table, inspector, dialect):
    name = table.name
    old = Table(name, MetaData(), autoload_with=connection)
    old_columns = {c["name"]: c for c in inspector.get_columns(name)}
    if dialect.name != "sqlite":
        _free_names(connection, inspector, name)
    scratch = MetaData()
    for other in table.metadata.sorted_tables:
        other.to_metadata(scratch)
    temporary = table.to_metadata(scratch, name=_TEMPORARY_PREFIX + name)
    # Copies forget which backends a check is for; drop those not meant for this one.
    elsewhere = {(c.name, str(c.sqltext)) for c in table.constraints
                 if isinstance(c, CheckConstraint) and not _check_applies(c, dialect)}
    for constraint in list(temporary.constraints):
        if isinstance(constraint, CheckConstraint) and not getattr(constraint, "_type_bound", False) \
                and (constraint.name, str(constraint.sqltext)) in elsewhere:
            temporary.constraints.discard(constraint)
    for index in list(temporary.indexes):
        temporary.indexes.discard(index)
    if dialect.name != "sqlite":
        for fk in list(temporary.foreign_key_constraints):
            temporary.constraints.discard(fk)
            for element in fk.elements:
                element.parent.foreign_keys.discard(element)
    connection.execute(CreateTable(temporary))
    targets, sources = [], []
    for column in table.c:
        expression = _copy_expression(table, column, old, old_columns)
        if expression is not None:
            targets.append(column.name)
            sources.append(expression)
    if targets:
        connection.execute(insert(temporary).from_select(targets, select(*sources).select_from(old)))
    connection.exec_driver_sql(f"DROP TABLE {_quote(connection, name)}")
    connection.exec_driver_sql(
        f"ALTER TABLE {_quote(connection, temporary.name)} RENAME TO {_quote(connection, name)}")
    if dialect.name == "postgresql":
        _rename_sequences(connection, table, temporary.name)
        _rename_constraints(connection, table.name, temporary.name)
    apply_dialect_quirks(name, connection)


def _rename_constraints(connection, name, temporary_name):
    """PostgreSQL named unnamed constraints after the temporary table; give them the real table's name."""
    rows = connection.exec_driver_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = %(table)s::regclass AND conname LIKE %(prefix)s",
        {"table": name, "prefix": temporary_name.replace("_", "\\_") + "\\_%"}).scalars().all()
    for old in rows:
        new = name + old[len(temporary_name):]
        connection.exec_driver_sql(
            f"ALTER TABLE {_quote(connection, name)} RENAME CONSTRAINT {_quote(connection, old)} TO {_quote(connection, new)}")


def _rename_sequences(connection, table, temporary_name):
    for column in table.c:
        if column.autoincrement is True:
            old_sequence = f"{temporary_name}_{column.name}_seq"
            sequence = f"{table.name}_{column.name}_seq"
            connection.exec_driver_sql(
                f"ALTER SEQUENCE IF EXISTS {_quote(connection, old_sequence)} RENAME TO {_quote(connection, sequence)}")
            connection.exec_driver_sql(
                f"SELECT setval('{sequence}', COALESCE((SELECT MAX({_quote(connection, column.name)}) "
                f"FROM {_quote(connection, table.name)}), 0) + 1, false)")


def _sync_indexes(connection, table, inspector, dialect):
    include = include_object_for(dialect.name)
    wanted = {index.name: index for index in table.indexes if include(index, index.name, "index", False, None)}
    present = {index["name"]: index for index in inspector.get_indexes(table.name)}
    constraint_names = {fk.get("name") for fk in inspector.get_foreign_keys(table.name)}
    constraint_names |= {u.get("name") for u in inspector.get_unique_constraints(table.name)}
    fk_columns = {fk["constrained_columns"][0] for fk in inspector.get_foreign_keys(table.name)}
    for name, index in present.items():
        if name in wanted or name in constraint_names or index.get("duplicates_constraint"):
            continue
        if dialect.name in ("mysql", "mariadb") and (name in fk_columns or name == "PRIMARY"):
            continue  # the index MySQL made for a foreign key
        if str(name).startswith("sqlite_autoindex"):
            continue
        on = f" ON {_quote(connection, table.name)}" if dialect.name in ("mysql", "mariadb") else ""
        connection.exec_driver_sql(f"DROP INDEX {_quote(connection, name)}{on}")
    for name, index in wanted.items():
        found = present.get(name)
        if found is not None and list(found["column_names"]) == [c.name for c in index.columns if c is not None] \
                and bool(found["unique"]) == bool(index.unique):
            continue
        if found is not None:
            on = f" ON {_quote(connection, table.name)}" if dialect.name in ("mysql", "mariadb") else ""
            connection.exec_driver_sql(f"DROP INDEX {_quote(connection, name)}{on}")
        connection.execute(CreateIndex(index))


def _move_legacy_rows(connection, existing, metadata):
    """Rows of earlier mlf tables that live elsewhere in mlflow's schema."""
    if "trace_run_links" not in existing:
        return
    associations = metadata.tables["entity_associations"]
    links = connection.exec_driver_sql("SELECT request_id, run_uuid, created_time FROM trace_run_links").all()
    present = {tuple(row) for row in connection.execute(
        select(associations.c.source_id, associations.c.destination_id)
        .where(associations.c.source_type == "trace", associations.c.destination_type == "run"))}
    rows = [{"association_id": uuid.uuid4().hex, "source_type": "trace", "source_id": trace_id,
             "destination_type": "run", "destination_id": run_id, "created_time": created}
            for trace_id, run_id, created in links if (trace_id, run_id) not in present]
    if rows:
        connection.execute(insert(associations), rows)
    connection.exec_driver_sql("DROP TABLE trace_run_links")


def _fill_latest_metrics(connection, metadata):
    """latest_metrics from metrics: per run and key, the point with the greatest (step, timestamp, value)."""
    metrics = metadata.tables["metrics"]
    latest = metadata.tables["latest_metrics"]
    point, better = metrics.alias("point"), metrics.alias("better")
    beaten = select(literal(1)).where(
        better.c.run_uuid == point.c.run_uuid,
        better.c.key == point.c.key,
        (better.c.step > point.c.step)
        | ((better.c.step == point.c.step) & (better.c.timestamp > point.c.timestamp))
        | ((better.c.step == point.c.step) & (better.c.timestamp == point.c.timestamp) & (better.c.value > point.c.value)),
    )
    columns = ["key", "value", "timestamp", "step", "is_nan", "run_uuid"]
    chosen = select(*(point.c[name] for name in columns)).where(~beaten.exists()).distinct()
    connection.execute(insert(latest).from_select(columns, chosen))


def seed_rows(connection):
    """The rows every head database holds: the default workspace (the Default experiment is the store's)."""
    workspaces = target_metadata().tables["workspaces"]
    present = connection.execute(select(workspaces.c.name).where(workspaces.c.name == DEFAULT_WORKSPACE)).first()
    if present is None:
        connection.execute(insert(workspaces).values(name=DEFAULT_WORKSPACE, description=DEFAULT_WORKSPACE_DESCRIPTION))


def converge(connection):
    """Make the database behind connection hold exactly the head schema; return the tables rebuilt or made."""
    metadata = target_metadata()
    dialect = connection.dialect
    if _family(dialect) == "mysql":
        # Copied rows keep their ids, 0 included (the Default experiment), in AUTO_INCREMENT columns.
        connection.exec_driver_sql("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')")
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    changed = []
    created = []
    if dialect.name != "sqlite":
        # Foreign keys go first (they pin the tables being rebuilt) and come back last.
        for table in metadata.sorted_tables:
            if table.name in existing and shape_difference(table, inspector, dialect):
                changed.append(table)
        rebuilt = {t.name for t in changed}
        for name in existing:
            for signature, fk_name in _reflected_fks(inspector, name).items():
                if fk_name and (name in rebuilt or signature[1] in rebuilt):
                    _drop_foreign_key(connection, name, fk_name)
    else:
        changed = [t for t in metadata.sorted_tables if t.name in existing and shape_difference(t, inspector, dialect)]
    for table in changed:
        _rebuild(connection, table, inspect(connection), dialect)
    for table in metadata.sorted_tables:
        if table.name not in existing:
            connection.execute(CreateTable(table))
            apply_dialect_quirks(table.name, connection)
            created.append(table.name)
    if "latest_metrics" in created and "metrics" in existing:
        _fill_latest_metrics(connection, metadata)
    _move_legacy_rows(connection, existing, metadata)
    # Twice: MySQL silently drops the index it made for a foreign key once another index covers
    # the key, and mlflow's MySQL schema names some of those indexes; the second pass recreates them.
    for _ in range(2 if _family(dialect) == "mysql" else 1):
        inspector = inspect(connection)
        for table in metadata.sorted_tables:
            _sync_indexes(connection, table, inspector, dialect)
    if dialect.name != "sqlite":
        inspector = inspect(connection)
        for table in metadata.sorted_tables:
            present = _reflected_fks(inspector, table.name)
            for signature, fk in _target_fks(table).items():
                if signature not in present:
                    connection.execute(AddConstraint(fk))
    seed_rows(connection)
    return [t.name for t in changed] + created

