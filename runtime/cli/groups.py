"""Argument groups of the manifest: exactly one, at most one or at least one of some options.

A member counts as given when its value came from the command line or an env
var (click's view of "given"). Messages name members the way the caller knows
them: flags on the command line, parameter names for MCP tools.
"""

from runtime.errors import UsageError

GIVEN_SOURCES = ("commandline", "envvar")


def _either(names, joiner="or"):
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {joiner} {names[-1]}"


def group_problem(group, given, name_of, envvars=None):
    """The message for a broken group (None when it holds); given is the set of given member dests.

    envvars (dest -> env var name) adds a hint when nothing was given and env vars could have.
    """
    members = group["members"]
    count = sum(1 for dest in members if dest in given)
    names = [name_of(dest) for dest in members]
    rule = group["rule"]
    hint = [envvars[dest] for dest in members if envvars and dest in envvars]
    hint = f" (or set {' / '.join(hint)})" if hint and count == 0 else ""
    if rule == "exactly-one" and count != 1:
        message = f"Give exactly one of {_either(names)}{hint}."
    elif rule == "at-most-one" and count > 1:
        message = f"Give only one of {_either(names)}" + (", not both." if len(names) == 2 else ".")
    elif rule == "at-least-one" and count == 0:
        message = f"Give at least one of {_either(names)}{hint}."
    else:
        return None
    return f"{group['reason']}: {message[0].lower()}{message[1:]}" if group.get("reason") else message


def check_groups(node, sources, name_of, env_hint=True):
    """Raise UsageError for the first group of node the given values break."""
    given = {dest for dest, source in sources.items() if source in GIVEN_SOURCES}
    envvars = {spec["dest"]: spec["envvar"] for spec in node["options"] + node["arguments"]
               if spec.get("envvar")} if env_hint else None
    for group in node.get("groups", ()):
        problem = group_problem(group, given, name_of, envvars)
        if problem:
            raise UsageError(problem)


def flag_names(node):
    """dest -> how the command line names it (its first long flag, or an argument's NAME)."""
    names = {spec["dest"]: next((f for f in spec["flags"] if f.startswith("--")), spec["flags"][0])
             for spec in node["options"]}
    names.update({spec["dest"]: spec["name"] for spec in node["arguments"]})
    return names.__getitem__
