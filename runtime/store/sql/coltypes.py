"""Column types shared by the table definitions and the migrations.

Search results must be identical on every backend and to the file store's
in-memory evaluation, which compares strings exactly, code point by code point.
SQLite and PostgreSQL do that for '=' and LIKE already; MySQL/MariaDB's default
collations ignore case and trailing spaces. Our text columns therefore carry a
binary, no-pad collation there, which also makes ORDER BY follow code points
and unique names case-sensitive (as in the file store). Type names and sizes are
otherwise mlflow's.
"""

from sqlalchemy import String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeDecorator

MYSQL_DIALECTS = ("mysql", "mariadb")
_MYSQL_TEXT_TYPES = {"TEXT": mysql.TEXT, "MEDIUMTEXT": mysql.MEDIUMTEXT, "LONGTEXT": mysql.LONGTEXT}


def mysql_binary_collation(dialect):
    """The exact-match utf8mb4 collation the connected MySQL/MariaDB server offers."""
    if getattr(dialect, "is_mariadb", False):
        return "utf8mb4_nopad_bin"
    version = getattr(dialect, "server_version_info", None) or ()
    return "utf8mb4_0900_bin" if tuple(version[:1]) >= (8,) else "utf8mb4_bin"


class ExactString(TypeDecorator):
    """VARCHAR(length) that compares and sorts by code point on every backend."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in MYSQL_DIALECTS:
            collation = mysql_binary_collation(dialect)
            return dialect.type_descriptor(mysql.VARCHAR(self.impl.length, charset="utf8mb4", collation=collation))
        return dialect.type_descriptor(String(self.impl.length))


class ExactText(TypeDecorator):
    """Unbounded text with exact comparison; mysql_type picks TEXT, MEDIUMTEXT or LONGTEXT there."""

    impl = Text
    cache_ok = True

    def __init__(self, mysql_type="MEDIUMTEXT"):
        super().__init__()
        self.mysql_type = mysql_type

    def load_dialect_impl(self, dialect):
        if dialect.name in MYSQL_DIALECTS:
            collation = mysql_binary_collation(dialect)
            kind = _MYSQL_TEXT_TYPES[self.mysql_type]
            return dialect.type_descriptor(kind(charset="utf8mb4", collation=collation))
        # Not through type_descriptor: psycopg's driver maps Text to a VARCHAR type.
        return Text()


def Double():
    """A 64-bit float column: FLOAT(53), which every backend stores as a double."""
    from sqlalchemy import Float

    return Float(precision=53)
