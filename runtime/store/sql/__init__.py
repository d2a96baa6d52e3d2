"""The SQL tracking store (SQLite, PostgreSQL, MySQL/MariaDB) and its alembic migrations.

Nothing here is imported unless a SQL tracking URI is used: the modules import
sqlalchemy at module level.
"""
