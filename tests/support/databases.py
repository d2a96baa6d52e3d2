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


def all_tables_metadata():
    """The SQL store's metadata with every area's tables (tracking, registry, traces) registered on it."""
    import importlib

    from runtime.store.sql.models import Base

    for module in ("runtime.store.sql.models_registry", "runtime.store.sql.models_traces"):
        importlib.import_module(module)
    return Base.metadata


def empty_all_tables(engine_or_url):
    """Delete every row of every mlf table that exists (children first); the schema stays."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        existing = set(sqlalchemy.inspect(engine).get_table_names())
        with engine.begin() as connection:
            for table in reversed(all_tables_metadata().sorted_tables):
                if table.name in existing:
                    connection.execute(table.delete())
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


class SessionDatabases:
    """One database per kind for a whole test session, emptied (not recreated) between tests.

    Creating and migrating a database costs seconds on PostgreSQL and MariaDB;
    deleting the rows a test left costs milliseconds.
    """

    def __init__(self):
        self._stack = contextlib.ExitStack()
        self._urls = {}
        self._engines = {}

    def url(self, kind):
        """The session's database of this kind (created on first use)."""
        if kind not in self._urls:
            if not database_available(kind):
                raise RuntimeError(f"{kind} is not reachable on 127.0.0.1; the store tests need it running")
            self._urls[kind] = self._stack.enter_context(fresh_database(kind))
        return self._urls[kind]

    def emptied(self, kind_or_url):
        """The URL of a database with every table emptied (kind: 'postgresql'/'mysql', or any SQL URL)."""
        import sqlalchemy

        url = self.url(kind_or_url) if kind_or_url in ("postgresql", "mysql") else kind_or_url
        if url not in self._engines:
            self._engines[url] = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.StaticPool)
        empty_all_tables(self._engines[url])
        return url

    def close(self):
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        self._stack.close()
