"""Help for the root and for groups, rendered straight from the manifest (no handler imports)."""

import textwrap

WIDTH = 100


def _wrap(text, indent="  "):
    out = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        # Keep pre-formatted blocks (indented lines) as written.
        if any(line.startswith("  ") for line in lines):
            out.append("\n".join(indent + line for line in lines))
        else:
            out.append(textwrap.fill(" ".join(lines), WIDTH, initial_indent=indent, subsequent_indent=indent))
    return "\n\n".join(out)


def _rows(pairs):
    width = min(max((len(name) for name, _ in pairs), default=0), 28)
    lines = []
    for name, text in pairs:
        wrapped = textwrap.wrap(text, WIDTH - width - 6) or [""]
        if len(name) > width:
            lines.append(f"  {name}")
            lines.extend(f"  {'':{width}}  {w}" for w in wrapped)
        else:
            lines.append(f"  {name:{width}}  {wrapped[0]}")
            lines.extend(f"  {'':{width}}  {w}" for w in wrapped[1:])
    return "\n".join(lines)


def help_note(node):
    """The run-time note of a command (e.g. the installed deployment targets), or ''."""
    if not node.get("help_note"):
        return ""
    from runtime.imports import load_reference

    return load_reference(node["help_note"])()


def render_group_help(node, manifest):
    program = manifest["program"]
    prog = f"{program} {node['path']}".strip()
    parts = [f"Usage: {prog} [OPTIONS] COMMAND [ARGS]...", "", _wrap(node["help"]), ""]
    note = help_note(node)
    if note:
        parts += [_wrap(note), ""]
    parts.append("Options:")
    option_rows = [(", ".join(o["flags"]) + ("" if o["flag"] else f" {o['metavar']}"), o["help"]) for o in node["options"]]
    option_rows.append(("--help", "Show this message and exit."))
    parts.append(_rows(option_rows))
    parts += ["", "Commands:"]
    rows = []
    for name, child in node["commands"].items():
        aliases = [a for a, target in node["aliases"].items() if target == name]
        label = name + (f" ({', '.join(aliases)})" if aliases else "")
        rows.append((label, child["summary"]))
    parts.append(_rows(rows))
    if node["path"] == "":
        env = [(name, entry["help"]) for name, entry in manifest["env_vars"].items() if entry.get("read_by") == "runtime"]
        parts += ["", "Environment:", _rows(env)]
    parts += ["", f"Run '{prog} COMMAND --help' for the options of a command."]
    return "\n".join(parts) + "\n"
