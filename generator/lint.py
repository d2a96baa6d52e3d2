"""Checks the JSON Schema cannot express: references, collisions, naming, env-var registry."""

import re

KEBAB = re.compile(r"^--[a-z0-9]+(-[a-z0-9]+)*$")


def _node_problems(node, env_registry, used_env):
    problems = []
    where = node["path"] or "(root)"
    seen_flags, seen_dests = {}, {}
    for option in node["options"]:
        for flag in option["flags"] + option["negative_flags"] + option.get("alias_flags", []):
            if flag.startswith("--") and not KEBAB.match(flag):
                problems.append(f"{where}: flag {flag} is not kebab-case")
            if flag in seen_flags:
                problems.append(f"{where}: flag {flag} is declared twice")
            seen_flags[flag] = option["dest"]
        if option["dest"] in seen_dests:
            problems.append(f"{where}: destination {option['dest']} is used by two options")
        seen_dests[option["dest"]] = True
        if option["negative_flags"] and not option["flag"]:
            problems.append(f"{where}: {option['flags'][0]} has negative flags but is not a flag")
        if option.get("envvar"):
            used_env.add(option["envvar"])
            if option["envvar"] not in env_registry:
                problems.append(f"{where}: env var {option['envvar']} is not in the env_vars registry of cli.yaml")
        if option["required"] and option.get("default") not in (None, [], False):
            problems.append(f"{where}: {option['flags'][0]} is required but has a default")
        if "choices" in option and option.get("default") is not None and not option["multiple"]:
            if option["default"] not in option["choices"]:
                problems.append(f"{where}: default of {option['flags'][0]} is not one of its choices")
    for argument in node["arguments"]:
        if argument["dest"] in seen_dests:
            problems.append(f"{where}: destination {argument['dest']} is used twice")
        seen_dests[argument["dest"]] = True
        if argument.get("envvar"):
            used_env.add(argument["envvar"])
            if argument["envvar"] not in env_registry:
                problems.append(f"{where}: env var {argument['envvar']} is not in the env_vars registry of cli.yaml")
    if "ctx" in seen_dests:
        problems.append(f"{where}: 'ctx' is reserved for the handler context")
    if node["commands"] and not node["handler"] and (node["options"] or node["arguments"]) and node["path"]:
        problems.append(f"{where}: a group without a handler cannot take options")
    if not node["commands"] and not node["handler"]:
        problems.append(f"{where}: a leaf command needs a handler")
    for alias, target in node["aliases"].items():
        if alias in node["commands"]:
            problems.append(f"{where}: alias {alias} collides with a command")
    for example in node["examples"]:
        prefix = f"mlf {node['path']}".rstrip()
        if example["command"] != prefix and not example["command"].startswith(prefix + " "):
            problems.append(f"{where}: example {example['command']!r} does not run this command")
    return problems


def _mcp_problems(node, tools):
    where = node["path"] or "(root)"
    name = node.get("mcp_tool")
    if not name:
        return []
    problems = []
    if not node["handler"]:
        problems.append(f"{where}: MCP tool {name} needs a command with a handler")
    if name in tools:
        problems.append(f"{where}: MCP tool {name} is also the tool of `{tools[name]}`")
    tools[name] = node["path"]
    return problems


def lint_manifest(manifest):
    """Return a list of problems (empty when the manifest is sound)."""
    from generator.compile import iter_nodes

    registry = manifest["env_vars"]
    used = set()
    tools = {}
    problems = []
    for node in iter_nodes(manifest["root"]):
        problems.extend(_node_problems(node, registry, used))
        problems.extend(_mcp_problems(node, tools))
    for name, entry in registry.items():
        if entry.get("read_by") != "runtime" and name not in used:
            problems.append(f"env var {name} is documented but no option reads it (mark read_by: runtime if the runtime does)")
    return problems
