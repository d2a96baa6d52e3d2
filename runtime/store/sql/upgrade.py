"""Bring a tracking database's schema to mlflow's head revision (alembic, no alembic.ini).

upgrade_database(db_uri) backs ``mlf db upgrade URL``; SqlStore calls
ensure_schema(engine) when it opens a database: a fresh database gets the whole
schema, one at the head revision (whoever made it, mlf or mlflow) is used as it
is, an older one is refused with a pointer to ``mlf db upgrade``. Databases made
by earlier mlf releases (revisions 0001_tracking..0003_traces) join mlflow's
chain just below the head and upgrade through it. Concurrent upgrades of one
database take turns (SQLite: BEGIN IMMEDIATE; PostgreSQL/MySQL: a server-side
named lock).
"""

import contextlib
import os
import weakref

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect
from sqlalchemy.exc import DBAPIError

from runtime.errors import MlfError
from runtime.store.sql.engine import WRITE_TRANSACTION, create_engine
from runtime.store.sql.tables import SCHEMA_REVISION

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
VERSIONS_DIR = os.path.join(MIGRATIONS_DIR, "versions")
# Any table of the first revision: its absence means nothing was ever created here.
_SENTINEL_TABLE = "experiments"
_LOCK_NAME = "mlf_schema_migration"
_PG_LOCK_KEY = 0x6D6C665F6462  # "mlf_db"
_LOCK_TIMEOUT_S = 600
# The newest migration. Opening a database already at it needs no alembic import (a fifth of a
# second); tests check this against the migrations folder.
HEAD_REVISION = SCHEMA_REVISION
# Revisions of earlier mlf releases, and the revision of mlflow's chain they are treated as.
LEGACY_MLF_REVISIONS = ("0001_tracking", "0002_registry", "0003_traces")
LEGACY_ENTRY_REVISION = "75868b020152"

_ready_engines = weakref.WeakSet()


def alembic_config(connection=None, url=None):
    """An alembic Config pointing at our migrations, bound to a connection or a URL."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision():
    """The newest revision, as alembic reads it from the migrations folder."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection):
    """The revision recorded in the database (None for a fresh one); ends the read transaction."""
    from alembic.runtime.migration import MigrationContext

    try:
        return MigrationContext.configure(connection).get_current_revision()
    finally:
        if connection.in_transaction():
            connection.commit()


def _recorded_revision(connection):
    """alembic_version's row read with plain SQL; None when the table is missing or holds not one row."""
    try:
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except DBAPIError:
        rows = []
    connection.rollback()
    return rows[0][0] if len(rows) == 1 else None


@contextlib.contextmanager
def _migration_lock(connection):
    """Serialise schema changes across processes on servers with named locks."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_LOCK_KEY})")
        connection.commit()
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_PG_LOCK_KEY})")
            connection.commit()
    elif dialect in ("mysql", "mariadb"):
        got = connection.exec_driver_sql(f"SELECT GET_LOCK('{_LOCK_NAME}', {_LOCK_TIMEOUT_S})").scalar()
        connection.commit()
        if got != 1:
            raise MlfError(f"Timed out after {_LOCK_TIMEOUT_S}s waiting for another schema upgrade to finish")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT RELEASE_LOCK('{_LOCK_NAME}')")
            connection.commit()
    else:
        # SQLite: the migration's own BEGIN IMMEDIATE is the lock.
        yield


def known_revisions():
    """Revision ids of the migrations folder, read from the file names (no alembic import)."""
    return {name.split("_", 1)[0] for name in os.listdir(VERSIONS_DIR) if name.endswith(".py")}


def _unknown_revision(revision):
    return MlfError(
        f"The database is at schema revision {revision}, which this mlf does not know "
        f"(it knows mlflow's revisions up to {HEAD_REVISION}); nothing was changed."
    )


def _version_table():
    # alembic's own bookkeeping table, as alembic creates it.
    return Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                 PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))


def _create_schema(connection):
    """The whole head schema in an empty database, stamped with the head revision."""
    from runtime.store.sql.migrations.converge import seed_rows, target_metadata

    target_metadata().create_all(connection)
    version = _version_table()
    version.create(connection, checkfirst=True)
    connection.execute(version.delete())
    connection.execute(version.insert().values(version_num=HEAD_REVISION))
    seed_rows(connection)


def _is_empty(connection):
    empty = not inspect(connection).has_table(_SENTINEL_TABLE)
    if connection.in_transaction():
        connection.commit()
    return empty


@contextlib.contextmanager
def _sqlite_foreign_keys_off(connection):
    """Table rebuilds drop tables other rows point at; SQLite must not check that mid-migration."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _upgrade_engine(engine, precheck=None, target="head"):
    """Bring the schema to target; return (revision before, revision after).

    precheck(connection, revision) runs under the migration lock, before any change.
    """
    with engine.connect() as plain:
        connection = plain.execution_options(**{WRITE_TRANSACTION: True})
        with _migration_lock(connection), _sqlite_foreign_keys_off(connection):
            before = _recorded_revision(connection)
            if precheck is not None:
                precheck(connection, before)
            if before is None and _is_empty(connection):
                with connection.begin():
                    _create_schema(connection)
                return before, HEAD_REVISION
            if before is not None and before not in LEGACY_MLF_REVISIONS and before not in known_revisions():
                raise _unknown_revision(before)
            if before == HEAD_REVISION and target == "head":
                return before, before
            _run_alembic(connection, before, target)
            after = _recorded_revision(connection)
    return before, after


def _run_alembic(connection, before, target):
    from alembic import command
    from alembic.util.exc import CommandError

    with connection.begin():
        if before in LEGACY_MLF_REVISIONS:
            # An earlier mlf release's schema: it joins mlflow's chain just below the head.
            connection.execute(_version_table().update().values(version_num=LEGACY_ENTRY_REVISION))
        try:
            command.upgrade(alembic_config(connection=connection), target)
        except CommandError as exc:
            raise MlfError(f"Cannot upgrade the database schema from revision {before!r}: {exc}") from None


def upgrade_database(db_uri, revision="head"):
    """Upgrade the schema at db_uri to the head (or the given) revision; safe to run again.

    Returns the revision the database is at afterwards.
    """
    engine = create_engine(db_uri)
    try:
        return _upgrade_engine(engine, target=revision)[1]
    finally:
        engine.dispose()


def ensure_schema(engine, db_uri):
    """Create the schema in a fresh database; refuse one that needs ``mlf db upgrade``."""
    if engine in _ready_engines:
        return
    with engine.connect() as connection:
        current = _recorded_revision(connection)
    if current != HEAD_REVISION:

        def only_fresh(connection, revision):
            # Decided under the lock: another process may have just created the schema.
            if revision == HEAD_REVISION or (revision is None and _is_empty(connection)):
                return
            if revision is not None and revision not in LEGACY_MLF_REVISIONS and revision not in known_revisions():
                raise _unknown_revision(revision)
            found = "no schema revision" if revision is None else f"version {revision}"
            raise MlfError(
                f"Detected out-of-date database schema (found {found}, but expected {HEAD_REVISION}). "
                f"Take a backup of your database, then run 'mlf db upgrade {db_uri}' to migrate it."
            )

        _upgrade_engine(engine, only_fresh)
    _ready_engines.add(engine)
