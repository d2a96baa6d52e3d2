"""Handler of `mlf runs link-traces` (kept apart from handlers/runs.py, which the lead owns)."""


def link_traces(*, run_id, trace_id, ctx):
    ctx.tracking_store().link_traces_to_run(list(trace_id), run_id)
    return f"Successfully linked {len(trace_id)} trace(s) to run '{run_id}'"
