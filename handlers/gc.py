"""Handler of `mlf gc`."""


def gc(*, older_than, backend_store_uri, artifacts_destination, run_ids, experiment_ids, logged_model_ids,
       tracking_uri, dry_run, ctx):
    from runtime import gc as collector

    store = ctx.tracking_store(backend_store_uri or tracking_uri)
    plan = collector.make_plan(store, older_than=older_than, run_ids=run_ids, experiment_ids=experiment_ids,
                               logged_model_ids=logged_model_ids)
    if dry_run:
        lines = plan.lines()
        return "\n".join(["Would remove:"] + [f"  {line}" for line in lines]) if lines else "Nothing to remove."
    collector.execute(store, plan, artifacts_destination=artifacts_destination,
                      tracking_uri=ctx.tracking_uri(tracking_uri), report=lambda line: print(line, file=ctx.stdout))
    return None
