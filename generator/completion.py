"""Generate bash and zsh completion scripts from the compiled manifest.

Both scripts complete subcommands (aliases too) at every level, the options of
the command being typed, the choices of choice-valued options and arguments,
and file or folder names where a value is a local path. What counts as a local
path: `type: path`, or the metavar FILE (a file) or DIR (a folder).
The script logic lives in generator/templates/completion.*.j2; this module
turns the manifest into the tables those templates lay out.
"""

import re

from generator.compile import iter_nodes
from generator.docs import visible_options

BASH_PATH = "docs/completion/mlf.bash"
ZSH_PATH = "docs/completion/_mlf"
HELP_FLAG = {"flags": ["--help"], "negative_flags": [], "flag": True, "multiple": False,
             "help": "Show the help of this command and exit.", "dest": "help"}
_SAFE_WORD = re.compile(r"^[A-Za-z0-9_.,:/+=@%-]+$")


def _safe(word):
    """Words end up unquoted in shell code: refuse anything that could break out."""
    if not _SAFE_WORD.match(str(word)):
        raise ValueError(f"cannot put {word!r} into a completion script (unsafe characters)")
    return str(word)


def value_kind(spec):
    """How a value is completed: None (flag), 'choice', 'file', 'dir' or 'text'."""
    if spec.get("flag"):
        return None
    if spec.get("choices"):
        return "choice"
    if spec["type"] == "path" or spec.get("metavar") == "FILE":
        return "file"
    if spec.get("metavar") == "DIR":
        return "dir"
    return "text"


def _bash_kind(spec):
    kind = value_kind(spec)
    if kind == "choice":
        return "choice:" + ",".join(_safe(c) for c in spec["choices"])
    return kind


def _children(node):
    """(word, child) for every subcommand word, aliases included, in help order."""
    for name, child in node["commands"].items():
        yield name, child
        for alias, target in sorted(node["aliases"].items()):
            if target == name:
                yield alias, child


def _options(node):
    return visible_options(node) + [HELP_FLAG]


def bash_tables(manifest):
    """Per command path: its subcommand words, options, option value kinds, argument kinds."""
    paths = []
    for node in iter_nodes(manifest["root"]):
        path = node["path"]
        options = _options(node)
        arguments = []
        for argument in node["arguments"]:
            kind = _bash_kind(argument)
            arguments.append(kind + ("..." if argument["nargs"] in ("*", "+") else ""))
        paths.append({
            "path": path,
            "words": [_safe(word) for word, _ in _children(node)],
            "children": [(_safe(word), child["path"]) for word, child in _children(node)],
            "flags": [_safe(f) for o in options for f in o["flags"] + o["negative_flags"]],
            "valued": [([_safe(f) for f in o["flags"]], _bash_kind(o)) for o in options if not o["flag"]],
            "arguments": arguments,
        })
    return paths


def _first_sentence(text):
    flat = " ".join(text.split())
    match = re.match(r"^(.*?\.)(\s|$)", flat)
    return (match.group(1) if match else flat).rstrip(".")


def _zsh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_description(text):
    return _first_sentence(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _zsh_action(spec):
    kind = value_kind(spec)
    message = (spec.get("metavar") or spec.get("name") or "value").replace(":", "\\:")
    if kind == "choice":
        return f"{message}:({' '.join(_safe(c) for c in spec['choices'])})"
    if kind == "file":
        return f"{message}:_files"
    if kind == "dir":
        return f"{message}:_files -/"
    return f"{message}: "


def zsh_option_specs(node):
    """One _arguments spec per flag spelling, each excluding the option's other spellings."""
    specs = []
    for option in _options(node):
        spellings = option["flags"] + option["negative_flags"]
        exclusion = "*" if option["multiple"] else "(" + " ".join(_safe(f) for f in spellings) + ")"
        description = _zsh_description(option["help"])
        for flag in spellings:
            if option["flag"] or flag in option["negative_flags"]:
                specs.append(_zsh_quote(f"{exclusion}{flag}[{description}]"))
            else:
                suffix = "=" if flag.startswith("--") else "+"
                specs.append(_zsh_quote(f"{exclusion}{flag}{suffix}[{description}]:{_zsh_action(option)}"))
    for argument in node["arguments"]:
        if argument["nargs"] in ("*", "+"):
            prefix = "*:"
        else:
            prefix = ":" if argument["required"] else "::"
        specs.append(_zsh_quote(prefix + _zsh_action(argument)))
    return specs


def zsh_function_name(path):
    return "_mlf" + "".join("_" + word.replace("-", "_") for word in path.split())


def zsh_functions(manifest):
    functions = []
    for node in iter_nodes(manifest["root"]):
        functions.append({
            "name": zsh_function_name(node["path"]),
            "title": f"{manifest['program']} {node['path']}".strip(),
            "context": "-".join([manifest["program"], *node["path"].split()]),
            "specs": zsh_option_specs(node),
            "commands": [_zsh_quote(f"{word}:{_first_sentence(child['summary'])}".replace("\\", "\\\\"))
                         for word, child in _children(node)],
            "dispatch": [(word, zsh_function_name(child["path"])) for word, child in _children(node)],
        })
    return functions


def render_completions(manifest):
    from generator.docs import template_environment

    # Shell code is full of "${#", which jinja2 would read as the start of a comment.
    env = template_environment(comment_start_string="<#--", comment_end_string="--#>")
    program = _safe(manifest["program"])
    return {
        BASH_PATH: env.get_template("completion.bash.j2").render(program=program, paths=bash_tables(manifest)),
        ZSH_PATH: env.get_template("completion.zsh.j2").render(program=program, functions=zsh_functions(manifest)),
    }
