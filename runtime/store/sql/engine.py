"""SQLAlchemy engines for tracking database URIs.

One engine per (process, URI): driver choice for bare ``postgresql://`` and
``mysql://`` URIs, SQLite in WAL mode with a busy timeout and explicit
transactions, pool settings from MLflow's environment variables, and the
test for errors worth retrying (lock contention, deadlocks).
"""

import importlib.util
import os
import threading

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from runtime.errors import InvalidParameter, MlfError

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option asking for a write transaction. On SQLite it turns BEGIN into
# BEGIN IMMEDIATE: the write lock is taken up front, so two writers queue on the
# busy timeout instead of failing when one upgrades a read lock.
WRITE_TRANSACTION = "mlf_write_transaction"

_engines = {}
_engines_lock = threading.Lock()


def _module_available(name):
    return importlib.util.find_spec(name) is not None


def normalize_db_uri(db_uri):
    """The URI with an installed driver filled in and utf8mb4 forced on MySQL.

    Bare ``postgresql://`` means psycopg2 to SQLAlchemy and bare ``mysql://``
    means MySQLdb; when those are absent we use psycopg 3 and PyMySQL.
    """
    if not isinstance(db_uri, str) or "://" not in db_uri:
        raise InvalidParameter(f"Invalid database URI {db_uri!r}: expected <dialect>[+<driver>]://...")
    scheme, _, rest = db_uri.partition("://")
    base, _, driver = scheme.lower().partition("+")
    if base == "postgres":
        base = "postgresql"
    if not driver:
        if base == "postgresql" and not _module_available("psycopg2"):
            driver = "psycopg"
        elif base == "mysql" and not _module_available("MySQLdb"):
            driver = "pymysql"
    uri = f"{base}+{driver}://{rest}" if driver else f"{base}://{rest}"
    if base in ("mysql", "mariadb"):
        try:
            url = make_url(uri)
        except ArgumentError as exc:
            raise InvalidParameter(f"Invalid database URI {db_uri!r}: {exc}") from None
        if "charset" not in url.query:
            # Full Unicode (4-byte UTF-8) needs utf8mb4 on the connection too.
            uri = url.update_query_dict({"charset": "utf8mb4"}).render_as_string(hide_password=False)
    return uri


def _is_sqlite_memory(url):
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _env_int(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidParameter(f"Environment variable {name}={value!r} is not an integer") from None


def _pool_arguments():
    """Pool settings, overridable with the variables MLflow's SQL store reads."""
    arguments = {
        "pool_size": _env_int("MLFLOW_SQLALCHEMYSTORE_POOL_SIZE", 10),
        "max_overflow": _env_int("MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW", 20),
        "pool_pre_ping": True,
    }
    recycle = _env_int("MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE", 3600)
    if recycle > 0:
        arguments["pool_recycle"] = recycle
    poolclass = os.environ.get("MLFLOW_SQLALCHEMYSTORE_POOLCLASS")
    if poolclass:
        import sqlalchemy.pool

        cls = getattr(sqlalchemy.pool, poolclass, None)
        if cls is None:
            raise InvalidParameter(f"Unknown SQLAlchemy pool class {poolclass!r} in MLFLOW_SQLALCHEMYSTORE_POOLCLASS")
        arguments = {"poolclass": cls} if cls.__name__ in ("NullPool", "StaticPool") else {**arguments, "poolclass": cls}
    return arguments


def _python_lower(value):
    return value.lower() if isinstance(value, str) else value


def _install_sqlite_hooks(engine, memory):
    @event.listens_for(engine, "connect")
    def _configure_connection(dbapi_connection, _record):
        # We issue BEGIN ourselves (below); the driver's implicit transactions
        # would otherwise start too late for DDL and too weak for writers.
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds ASCII only; ILIKE must fold case as Python does.
        dbapi_connection.create_function("lower", 1, _python_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        write = connection.get_execution_options().get(WRITE_TRANSACTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(db_uri):
    """A new engine for db_uri (use get_engine to share one per process)."""
    uri = normalize_db_uri(db_uri)
    try:
        url = make_url(uri)
    except ArgumentError as exc:
        raise InvalidParameter(f"Invalid database URI {db_uri!r}: {exc}") from None
    echo = os.environ.get("MLFLOW_SQLALCHEMYSTORE_ECHO", "").lower() in ("1", "true", "yes")
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite and _is_sqlite_memory(url):
        arguments = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        arguments = _pool_arguments()
    try:
        engine = sqlalchemy.create_engine(url, echo=echo, **arguments)
    except NoSuchModuleError as exc:
        raise MlfError(f"Unsupported database URI {db_uri!r}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise MlfError(f"The database driver for {db_uri!r} is not installed: {exc}") from None
    if sqlite:
        _install_sqlite_hooks(engine, _is_sqlite_memory(url))
    return engine


def get_engine(db_uri):
    """The engine this process shares for db_uri (engines must not cross a fork)."""
    key = (os.getpid(), normalize_db_uri(db_uri))
    engine = _engines.get(key)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = create_engine(db_uri)
    return engine


# SQLSTATEs / error numbers after which the whole transaction may simply be run again.
_PG_RETRY_STATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
_MYSQL_RETRY_CODES = {1205, 1213}  # lock wait timeout, deadlock
_SQLITE_RETRY_TEXT = ("database is locked", "database table is locked", "database schema is locked")


def is_transient_error(exc):
    """True for lock contention and deadlocks: the transaction can be retried as is."""
    if not isinstance(exc, sqlalchemy.exc.DBAPIError):
        return False
    original = exc.orig
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if state in _PG_RETRY_STATES:
        return True
    arguments = getattr(original, "args", ())
    if arguments and isinstance(arguments[0], int) and arguments[0] in _MYSQL_RETRY_CODES:
        return True
    text = str(original).lower()
    return any(marker in text for marker in _SQLITE_RETRY_TEXT)
