"""A database's schema as plain data, for comparing the one mlf creates with mlflow's.

Read with SQLAlchemy's inspector, so the same code describes sqlite, PostgreSQL and
MariaDB. Names the database picks itself (sqlite's autoindexes, MySQL's FK indexes)
are left out of the comparison where mlflow leaves the choice to the database too.
"""

import re

import sqlalchemy


def _type_text(column_type, dialect):
    try:
        text = column_type.compile(dialect=dialect)
    except Exception:  # noqa: BLE001 - a reflected type the dialect cannot render
        text = repr(column_type)
    # MySQL/MariaDB report collation and charset with the type; those are compared apart.
    return re.sub(r"\s+(CHARACTER SET|COLLATE)\s+\w+", "", text).strip()


def _collation(column_type):
    return getattr(column_type, "collation", None)


def _computed(computed):
    if not computed:
        return None
    return re.sub(r"[\s()`]", "", str(computed["sqltext"])), bool(computed.get("persisted"))


def _default(value):
    if value is None:
        return None
    text = str(value).strip()
    text = re.sub(r"::[\w ]+$", "", text)  # PostgreSQL casts: 'default'::character varying
    return text


def describe(url, ignore_tables=("sqlite_sequence",)):
    """{table: {columns, primary_key, foreign_keys, indexes, uniques, checks}} of the database at url."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sqlalchemy.inspect(connection)
            dialect = connection.dialect
            shape = {}
            for table in sorted(inspector.get_table_names()):
                if table in ignore_tables:
                    continue
                columns = {
                    c["name"]: {
                        "type": _type_text(c["type"], dialect),
                        "nullable": bool(c["nullable"]),
                        "default": _default(c.get("default")),
                        "collation": _collation(c["type"]),
                        "autoincrement": c.get("autoincrement") is True,
                        "computed": _computed(c.get("computed")),
                    }
                    for c in inspector.get_columns(table)
                }
                pk = inspector.get_pk_constraint(table)
                fks = sorted(
                    (
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                        tuple(sorted((k, str(v).upper()) for k, v in (fk.get("options") or {}).items() if k in ("ondelete", "onupdate"))),
                        fk.get("name") or "",
                    )
                    for fk in inspector.get_foreign_keys(table)
                )
                uniques = sorted((u.get("name") or "", tuple(u["column_names"])) for u in inspector.get_unique_constraints(table))
                indexes = sorted(
                    (i["name"], tuple(str(c) for c in i["column_names"]), bool(i["unique"]),
                     tuple(sorted((i.get("dialect_options") or {}).get("mysql_length", {}).items())))
                    for i in inspector.get_indexes(table)
                    if not (i.get("duplicates_constraint") or str(i["name"]).startswith("sqlite_autoindex"))
                )
                try:
                    checks = sorted((c.get("name") or "", re.sub(r"\s+", " ", c["sqltext"])) for c in inspector.get_check_constraints(table))
                except NotImplementedError:
                    checks = []
                shape[table] = {
                    "columns": columns,
                    "column_order": list(columns),
                    "primary_key": (pk.get("name"), tuple(pk["constrained_columns"])),
                    "foreign_keys": fks,
                    "uniques": uniques,
                    "indexes": indexes,
                    "checks": checks,
                }
            return shape
    finally:
        engine.dispose()


def _without(shape, extra_indexes, collation):
    """A copy of shape without the named indexes and, unless collation, without column collations."""
    result = {}
    for table, info in shape.items():
        info = dict(info)
        info["indexes"] = [i for i in info["indexes"] if i[0] not in extra_indexes]
        if not collation:
            info["columns"] = {name: {k: v for k, v in c.items() if k != "collation"} for name, c in info["columns"].items()}
        result[table] = info
    return result


def differences(expected, actual, extra_indexes=(), collation=True):
    """Human-readable lines naming every difference between two described schemas.

    extra_indexes: index names left out on both sides (mlf's additions); collation=False
    compares column types without their collations.
    """
    expected, actual = _without(expected, set(extra_indexes), collation), _without(actual, set(extra_indexes), collation)
    lines = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            lines.append(f"{table}: missing")
            continue
        if table not in expected:
            lines.append(f"{table}: unexpected table")
            continue
        want, got = expected[table], actual[table]
        for column in sorted(set(want["columns"]) | set(got["columns"])):
            if want["columns"].get(column) != got["columns"].get(column):
                lines.append(f"{table}.{column}: expected {want['columns'].get(column)}, got {got['columns'].get(column)}")
        for key in ("primary_key", "foreign_keys", "uniques", "indexes", "checks"):
            if want[key] != got[key]:
                lines.append(f"{table} {key}: expected {want[key]}, got {got[key]}")
    return lines
