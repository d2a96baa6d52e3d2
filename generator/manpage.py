"""Render docs/man/mlf.1 with argparse-manpage from an argparse tree built out of the manifest.

The tree reuses the runtime's own add_option/add_argument, so the man page lists
exactly the flags, metavars and help the real parser has. Output is
deterministic: a fixed date and version, a fixed wrap width, manifest order.
"""

import argparse

from runtime.cli.parser import add_argument, add_option

# A fixed date rather than "today" or SOURCE_DATE_EPOCH: either would make the
# committed page differ from a fresh render on another day or machine.
# Move it forward together with runtime.__version__.
MANPAGE_DATE = "2026-11-28"
WIDTH = 80
EXTENSION_MARK = "(mlf extension)"
MANUAL_TITLE = "mlf manual"


class _FixedWidthFormatter(argparse.RawDescriptionHelpFormatter):
    """Wrap at a fixed width: argparse otherwise follows the terminal ($COLUMNS)."""

    def __init__(self, prog):
        super().__init__(prog, max_help_position=32, width=WIDTH)


def _marked(text, extension):
    return f"{text} {EXTENSION_MARK}" if extension else text


def _fill(parser, node):
    parser.add_argument("--help", action="help", help="Show the help of this command and exit.")
    for option in node["options"]:
        add_option(parser, dict(option, help=_marked(option["help"], option["extension"])))
    for argument in node["arguments"]:
        add_argument(parser, argument)
    if not node["commands"]:
        return
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, child in node["commands"].items():
        aliases = sorted(alias for alias, target in node["aliases"].items() if target == name)
        child_parser = subparsers.add_parser(
            name,
            aliases=aliases,
            help=_marked(child["summary"], child["extension"]),
            # argparse-manpage prints the summary already; skip a help that only repeats it.
            description=None if child["help"] == child["summary"] else child["help"],
            add_help=False,
            formatter_class=_FixedWidthFormatter,
        )
        _fill(child_parser, child)


def build_argparse_tree(manifest):
    """The whole command tree as one argparse parser (only the man page needs all of it)."""
    root = manifest["root"]
    parser = argparse.ArgumentParser(prog=manifest["program"], description=root["help"], add_help=False,
                                     formatter_class=_FixedWidthFormatter)
    _fill(parser, root)
    return parser


def roff_escape(text):
    """Plain text to roff: escape backslashes and hyphens, protect leading control characters."""
    lines = []
    for line in text.replace("\\", "\\\\").replace("-", "\\-").splitlines():
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def _examples_section(manifest):
    from generator.compile import iter_nodes

    blocks = []
    for node in iter_nodes(manifest["root"]):
        for example in node["examples"]:
            blocks.append("\n".join([".PP", roff_escape(example["help"]), ".RS 4", ".nf",
                                     roff_escape(example["command"]), ".fi", ".RE"]))
    return "\n".join(blocks)


def _environment_section(manifest):
    entries = []
    for name, entry in manifest["env_vars"].items():
        entries.append("\n".join([".TP", f".B {roff_escape(name)}", roff_escape(entry["help"])]))
    return "\n".join(entries)


def render_manpage(manifest):
    from argparse_manpage.manpage import Manpage

    from runtime import __version__

    parser = build_argparse_tree(manifest)
    page = Manpage(parser, format="single-commands-section")
    page.date = MANPAGE_DATE
    page.source = f"{manifest['program']} {__version__}"
    page.manual = MANUAL_TITLE
    page.description = manifest["root"]["summary"].rstrip(".")
    page.add_section("EXAMPLES", ">", _examples_section(manifest))
    page.add_section("ENVIRONMENT", ">", _environment_section(manifest))
    return str(page)
