"""Handler of `mlf db ...`."""


def upgrade(*, url, ctx):
    from runtime.store.sql.upgrade import upgrade_database

    version = upgrade_database(url)
    return f"Database schema is at the newest version ({version})."


def delete_trace_rollups(*, url, confirm_delete, ctx):
    from runtime.store.sql.rollups import delete_trace_rollups as delete

    return delete(ctx, url, confirm_delete)
