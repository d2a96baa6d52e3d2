"""Real PostgreSQL and MariaDB databases for tests: one fresh database per use, dropped after.

The servers run on this machine (PostgreSQL 127.0.0.1:5432 trust auth; MariaDB
127.0.0.1:3306 root without password). Each test gets a uniquely named
database so parallel sessions and helpers never see each other's data.
"""

import contextlib
import os
import uuid

POSTGRES_ADMIN = os.environ.get("MLF_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MYSQL_ADMIN = os.environ.get("MLF_TEST_MYSQL", "mysql+pymysql://root@127.0.0.1:3306/test")


def _admin_engine(url):
    import sqlalchemy

    return sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@contextlib.contextmanager
def fresh_database(kind):
    """Yield the SQLAlchemy URL of a new empty database of kind 'postgresql' or 'mysql'."""
    import sqlalchemy

    name = f"mlf_test_{uuid.uuid4().hex[:12]}"
    admin_url = POSTGRES_ADMIN if kind == "postgresql" else MYSQL_ADMIN
    engine = _admin_engine(admin_url)
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        # Close pooled connections held by the code under test before dropping.
        with engine.connect() as connection:
            if kind == "postgresql":
                connection.execute(sqlalchemy.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
                ), {"n": name})
            connection.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS {name}"))
        engine.dispose()


def database_available(kind):
    try:
        engine = _admin_engine(POSTGRES_ADMIN if kind == "postgresql" else MYSQL_ADMIN)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
