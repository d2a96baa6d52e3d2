"""Handlers of `mlf scorers ...`."""


def list_(*, experiment_id, builtin, output, ctx):
    from runtime.cli.output import Table
    from runtime.tracing.scorers import BUILTIN_SCORERS

    if builtin:
        entries = [s.to_dict() for s in BUILTIN_SCORERS]
        rows = [(s["name"], ", ".join(s["required_columns"]) or "-", "yes" if s["session_level"] else "no",
                 ", ".join(s["required_args"]) or "-", "yes" if s["offline"] else "no", s["description"])
                for s in entries]
        table = Table(["Scorer Name", "Requires", "Session", "Args", "Offline", "Description"], rows)
        return {"scorers": entries} if output == "json" else table
    scorers = ctx.tracking_store().list_scorers(experiment_id)
    entries = [{"name": s.name, "version": s.version, "description": s.definition.get("description")}
               for s in scorers]
    if output == "json":
        return {"scorers": entries}
    return Table(["Scorer Name", "Version", "Description"],
                 [(e["name"], e["version"], e["description"] or "") for e in entries])


def register_llm_judge(*, name, instructions, model, experiment_id, description, base_url, extra_headers, ctx):
    from runtime.tracing.scorers import serialize_judge
    from runtime.validation import validate_scorer_name

    validate_scorer_name(name)
    version = ctx.tracking_store().register_scorer(experiment_id, name,
                                                   serialize_judge(name, instructions, model, description))
    return (f"Successfully created and registered judge scorer '{version.name}' in experiment {experiment_id} "
            f"(version {version.version})")
