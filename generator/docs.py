"""Render the Markdown reference (docs/reference/) from the compiled manifest with jinja2.

The templates only lay out text; every decision about what a cell shows (flag
spellings, value type, documented default, extension marks) is made here so the
pages, the man page and the completion scripts describe the same surface.
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
REFERENCE_DIR = "docs/reference"
EXTENSION_NOTE = "mlf extension"


_EMPHASIS_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def _escape_prose(text):
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("<", "&lt;").replace(">", "&gt;")
    return _EMPHASIS_UNDERSCORE.sub(r"\\_", text)


def escape_markdown(text):
    """Prose to Markdown: characters that would turn into emphasis or HTML are escaped,
    `code spans` written in the help stay as they are."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unbalanced backtick: all of it is prose
        return _escape_prose(text).replace("`", "\\`")
    return "`".join(_escape_prose(part) if i % 2 == 0 else part for i, part in enumerate(parts))


def visible_options(node):
    return [option for option in node["options"] if not option["hidden"]]


def usage_line(node, program):
    """The synopsis of a command, in click's wording."""
    prog = f"{program} {node['path']}".strip()
    if node["commands"] and not node["handler"]:
        return f"{prog} [OPTIONS] COMMAND [ARGS]..."
    words = [prog, "[OPTIONS]"]
    for argument in node["arguments"]:
        name = argument["name"]
        if argument["nargs"] in ("*", "+"):
            name += "..."
        words.append(name if argument["required"] else f"[{name}]")
    if node["commands"]:
        words.append("[COMMAND [ARGS]...]")
    return " ".join(words)


def documented_default(spec):
    """The default as a reader should see it: default_doc wins; nothing for unset/off/empty."""
    if spec.get("default_doc"):
        return escape_markdown(spec["default_doc"])
    default = spec.get("default")
    if default in (None, False, []) or default == "":
        return None
    if isinstance(default, list):
        return "`" + " ".join(str(v) for v in default) + "`"
    if isinstance(default, bool):
        return "`true`"
    return f"`{default}`"


def _value_text(spec):
    if spec.get("flag"):
        return "flag"
    kind = spec["type"]
    if "choices" in spec:
        text = "one of " + ", ".join(f"`{c}`" for c in spec["choices"])
    else:
        shown = {"int-range": "int", "float-range": "float"}.get(kind, kind)
        text = f"`{spec.get('metavar') or spec.get('name')}` ({shown})"
    low, high = spec.get("min"), spec.get("max")
    if low is not None or high is not None:
        text += f", {'' if low is None else low}..{'' if high is None else high}"
    if spec.get("multiple"):
        text += ", repeatable"
    return text


def _cell(text):
    """Make text safe inside a Markdown table cell."""
    if not text:
        return ""
    return " ".join(str(text).split()).replace("|", "\\|")


def _option_row(option):
    spellings = ", ".join(f"`{flag}`" for flag in option["flags"] + option.get("alias_flags", []))
    if option["negative_flags"]:
        spellings += " / " + ", ".join(f"`{flag}`" for flag in option["negative_flags"])
    description = escape_markdown(option["help"])
    if option["extension"]:
        description = f"*{EXTENSION_NOTE}.* {description}"
    return {
        "spellings": _cell(spellings),
        "value": _cell(_value_text(option)),
        "default": _cell(documented_default(option)),
        "envvar": f"`{option['envvar']}`" if option.get("envvar") else "",
        "required": "yes" if option["required"] else "",
        "description": _cell(description),
    }


def _argument_row(argument):
    count = {"?": "optional", "*": "zero or more", "+": "one or more"}.get(argument["nargs"], "one")
    return {
        "name": f"`{argument['name']}`",
        "value": _cell(_value_text(argument)),
        "count": count,
        "default": _cell(documented_default(argument)),
        "envvar": f"`{argument['envvar']}`" if argument.get("envvar") else "",
        "required": "yes" if argument["required"] else "",
        "description": _cell(escape_markdown(argument["help"])),
    }


HELP_ROW = {"spellings": "`--help`", "value": "flag", "default": "", "envvar": "", "required": "",
            "description": "Show the help of this command and exit."}


def markdown_blocks(text):
    """Help text to Markdown: indented paragraphs (pre-formatted in --help) become code blocks."""
    out = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if any(line.startswith("  ") for line in lines):
            body = "\n".join(line[2:] if line.startswith("  ") else line for line in lines)
            out.append(f"```text\n{body}\n```")
        else:
            out.append(escape_markdown("\n".join(lines)))
    return "\n\n".join(out)


def _anchor(title):
    """GitHub's heading anchor for plain-word titles such as `mlf experiments create`."""
    return "-".join(title.lower().split())


def command_view(node, program, extension_inherited=False):
    """Everything a page shows about one command and, recursively, its subcommands."""
    title = f"{program} {node['path']}".strip()
    extension = node["extension"] or extension_inherited
    aliases = sorted(alias for alias, target in node.get("parent_aliases", {}).items() if target == node["name"])
    children = []
    for name, child in node["commands"].items():
        child = dict(child, parent_aliases=node["aliases"])
        children.append(command_view(child, program, extension))
    return {
        "title": title,
        "anchor": _anchor(title),
        "level": "#" * min(len(node["path"].split()) or 1, 6),
        "summary": escape_markdown(node["summary"]),
        "help": markdown_blocks(node["help"]),
        "repeats_summary": node["help"] == node["summary"],
        "extension": node["extension"] and not extension_inherited,
        "aliases": aliases,
        "usage": usage_line(node, program),
        "options": [_option_row(o) for o in visible_options(node)] + [HELP_ROW],
        "arguments": [_argument_row(a) for a in node["arguments"]],
        "examples": [{"command": e["command"], "help": escape_markdown(e["help"])} for e in node["examples"]],
        "rules": group_rules(node),
        "mcp_tool": node.get("mcp_tool"),
        "children": children,
    }


def group_rules(node):
    """One sentence per argument group, in the words the parser uses when it is broken."""
    from runtime.cli.groups import flag_names, group_problem

    name_of = flag_names(node)
    everything = {spec["dest"] for spec in node["options"] + node["arguments"]}
    rules = []
    for group in node.get("groups", ()):
        # The message a command line breaking the rule gets: none given, or all given for at-most-one.
        given = everything if group["rule"] == "at-most-one" else set()
        rules.append(escape_markdown(group_problem(dict(group, reason=None), given, name_of)))
    return rules


def env_var_rows(manifest):
    """The env-var registry with who reads each variable."""
    readers = {}
    from generator.compile import iter_nodes

    for node in iter_nodes(manifest["root"]):
        prog = f"{manifest['program']} {node['path']}".strip()
        for spec in node["options"] + node["arguments"]:
            if spec.get("envvar"):
                label = spec["flags"][0] if "flags" in spec else spec["name"]
                readers.setdefault(spec["envvar"], []).append(f"`{prog} {label}`")
    rows = []
    for name, entry in manifest["env_vars"].items():
        read_by = list(readers.get(name, []))
        if entry.get("read_by") == "runtime":
            read_by.insert(0, "the runtime (any command)")
        rows.append({"name": f"`{name}`", "read_by": _cell(", ".join(read_by)), "help": _cell(escape_markdown(entry["help"]))})
    return rows


def template_environment(**overrides):
    """The jinja2 environment of generator/templates (overrides: e.g. other comment markers)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **overrides,
    )


def _tidy(text):
    """Collapse runs of blank lines left by optional blocks; end with exactly one newline."""
    lines, blank = [], False
    for line in text.splitlines():
        line = line.rstrip()
        if not line and blank:
            continue
        blank = not line
        lines.append(line)
    return "\n".join(lines).strip("\n") + "\n"


def render_reference(manifest):
    """{relative path: Markdown} for docs/reference/index.md and one page per top-level command."""
    env = template_environment()
    program = manifest["program"]
    root = manifest["root"]
    pages = {}
    commands = []
    for name, node in root["commands"].items():
        view = command_view(dict(node, parent_aliases=root["aliases"]), program)
        pages[f"{REFERENCE_DIR}/{name}.md"] = _tidy(env.get_template("command.md.j2").render(command=view))
        commands.append({"name": name, "file": f"{name}.md", "summary": _cell(escape_markdown(node["summary"])),
                         "extension": node["extension"]})
    index = env.get_template("index.md.j2").render(
        program=program,
        summary=escape_markdown(root["summary"]),
        help=markdown_blocks(root["help"]),
        usage=usage_line(root, program),
        options=[_option_row(o) for o in visible_options(root)] + [HELP_ROW],
        commands=commands,
        env_vars=env_var_rows(manifest),
        extension_note=EXTENSION_NOTE,
    )
    pages[f"{REFERENCE_DIR}/index.md"] = _tidy(index)
    return pages

