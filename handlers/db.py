"""Handler of `mlf db ...`."""


def upgrade(*, url, ctx):
    from runtime.store.sql.upgrade import upgrade_database

    version = upgrade_database(url)
    return f"Database schema is at the newest version ({version})."
