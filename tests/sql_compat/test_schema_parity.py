"""The schema mlf creates is the one mlflow 3.17.2 creates, table by table and column by column.

Both databases are read back with SQLAlchemy's inspector (tests/sql_compat/schema_shape.py):
types, nullability, server defaults, primary keys, foreign keys (with their ON DELETE /
ON UPDATE), unique and check constraints and indexes. mlf's only additions are its
search-path indexes (models.MLF_EXTRA_INDEXES) and, on MySQL/MariaDB, a binary
collation on text columns.
"""

import sqlalchemy

from runtime.store.sql.engine import normalize_db_uri
from runtime.store.sql.models import MLF_EXTRA_INDEXES
from runtime.store.sql.upgrade import HEAD_REVISION
from tests.sql_compat.conftest import database, run_mlf, run_peer
from tests.sql_compat.schema_shape import describe, differences
from tests.support.reference import reference_file


def _rows(url, query):
    engine = sqlalchemy.create_engine(normalize_db_uri(url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(query)]
    finally:
        engine.dispose()


def test_mlf_creates_the_schema_mlflow_creates(kind, tmp_path):
    import runtime.store.sql.models_registry  # noqa: F401 - registers the registry's extra indexes

    with database(kind, tmp_path, "mlflow.db") as (mlflow_url, peer_url), \
            database(kind, tmp_path, "mlf.db") as (mlf_url, _):
        run_peer("3.17.2", "read", peer_url, cwd=tmp_path)  # mlflow's store creates its schema on first use
        run_mlf("db", "upgrade", mlf_url)
        theirs, ours = describe(normalize_db_uri(mlflow_url)), describe(normalize_db_uri(mlf_url))
        mysql = kind == "mysql"
        assert differences(theirs, ours, MLF_EXTRA_INDEXES, collation=not mysql) == []
        assert len(ours) == 65
        if mysql:  # every text column compares by code point
            collations = {c["collation"] for t in ours.values() for c in t["columns"].values()
                          if c["type"].startswith(("VARCHAR", "TEXT", "MEDIUMTEXT", "LONGTEXT"))}
            assert collations <= {"utf8mb4_nopad_bin", "utf8mb4_bin", "utf8mb4_0900_bin", None} and collations - {None}
        for query in ("SELECT version_num FROM alembic_version", "SELECT name, description FROM workspaces"):
            assert _rows(mlf_url, query) == _rows(mlflow_url, query)
        assert _rows(mlf_url, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]


def test_the_tables_match_the_reference_facts(tmp_path):
    """Every table and column of tests/data/reference/mlflow-sql-schema.md, with its sqlite type."""
    text = reference_file("mlflow-sql-schema.md").read_text()
    url = f"sqlite:///{tmp_path / 'mlf.db'}"
    run_mlf("db", "upgrade", url)
    ours = describe(url)
    tables = text.split("## All tables", 1)[1].split("\n### ")[1:]
    assert len(tables) == len(ours) == 65
    for block in tables:
        name = block.split("`")[1]
        rows = [line.strip("|").split("|") for line in block.splitlines() if line.startswith("| ")][1:]
        expected = {cells[0].strip(): (cells[1].strip(), cells[2].strip() == "Y") for cells in rows}
        # The facts were read with PRAGMA table_info, which leaves generated columns out.
        got = {column: (info["type"], not info["nullable"]) for column, info in ours[name]["columns"].items()
               if not info["computed"]}
        assert got == expected, name
