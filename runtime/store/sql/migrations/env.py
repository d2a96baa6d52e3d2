"""Alembic environment for mlf's schema.

Run through runtime.store.sql.upgrade (no alembic.ini): the caller passes an open
connection in config.attributes["connection"]; a bare URL works too, as does
offline (--sql) mode. All areas' ORM classes are loaded so target_metadata
describes the whole schema.
"""

import importlib

from alembic import context

from runtime.store.sql.models import Base, include_object_for

# Areas that may add tables on the shared Base; each is optional.
_OPTIONAL_MODEL_MODULES = ("runtime.store.sql.models_registry", "runtime.store.sql.models_traces")

for _module in _OPTIONAL_MODEL_MODULES:
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise

config = context.config
target_metadata = Base.metadata


def _run_on(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object_for(connection.dialect.name),
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        # Our SQLite connections issue BEGIN themselves, which makes its DDL
        # transactional: one transaction covers the version check and every step.
        transactional_ddl=None if connection.dialect.name != "sqlite" else True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    from runtime.store.sql.engine import WRITE_TRANSACTION, create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as fresh:
            _run_on(fresh.execution_options(**{WRITE_TRANSACTION: True}))
    finally:
        engine.dispose()


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
