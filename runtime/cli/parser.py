"""Build the argparse parser of exactly one command from its manifest node.

Only `--help` is a help flag (as in mlflow, where `-h` means --host on some
commands). Options carry no argparse defaults: what argparse returns is what
the command line said, and runtime.cli.values adds env vars and defaults.
"""

import argparse

from runtime.cli.values import convert
from runtime.errors import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")

    def exit(self, status=0, message=None):
        # argparse calls exit() only for --help here: print and leave cleanly.
        if message:
            self._print_message(message)
        raise SystemExit(status)


def _type_for(spec):
    def to_value(text):
        try:
            return convert(spec, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    to_value.__name__ = spec["type"]
    return to_value


def _option_help(spec):
    parts = [spec["help"]]
    extras = []
    if spec.get("envvar"):
        extras.append(f"env var: {spec['envvar']}")
    if spec.get("default_doc"):
        extras.append(f"default: {spec['default_doc']}")
    elif spec.get("default") not in (None, False, []):
        extras.append(f"default: {spec['default']}")
    if spec.get("required"):
        extras.append("required")
    if extras:
        parts.append("[" + "; ".join(extras) + "]")
    return " ".join(parts).replace("%", "%%")


def add_option(parser, spec):
    help_text = argparse.SUPPRESS if spec.get("hidden") else _option_help(spec)
    common = {"dest": spec["dest"], "default": argparse.SUPPRESS, "help": help_text}
    if spec["flag"]:
        parser.add_argument(*spec["flags"], action="store_true", **common)
        if spec["negative_flags"]:
            parser.add_argument(*spec["negative_flags"], action="store_false", dest=spec["dest"],
                                default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return
    action = "append" if spec["multiple"] else "store"
    parser.add_argument(*spec["flags"], *spec.get("alias_flags", ()), action=action, type=_type_for(spec), metavar=spec["metavar"], **common)


def add_argument(parser, spec):
    nargs = spec["nargs"]
    if nargs is None and (spec.get("envvar") or not spec["required"]):
        nargs = "?"  # the value may come from an env var, so argparse must not insist
    kwargs = {"type": _type_for(spec), "help": spec["help"].replace("%", "%%"), "metavar": spec["name"],
              "default": argparse.SUPPRESS}
    if nargs is not None:
        kwargs["nargs"] = nargs
    parser.add_argument(spec["dest"], **kwargs)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=32, width=100)


def build_parser(node, program="mlf", tokens=()):
    """The parser for one leaf node (built on demand: about a millisecond)."""
    prog = f"{program} {node['path']}".strip()
    epilog = render_epilog(node)
    description = node["help"]
    if node.get("help_note") and "--help" in tokens:
        from runtime.cli.help import help_note

        import textwrap

        description += "\n\n" + textwrap.fill(help_note(node), 100)
    parser = _Parser(prog=prog, description=description, epilog=epilog or None, add_help=False,
                     allow_abbrev=False, formatter_class=_HelpFormatter)
    parser.add_argument("--help", action="help", help="Show this message and exit.")
    for spec in node["options"]:
        add_option(parser, spec)
    for spec in node["arguments"]:
        add_argument(parser, spec)
    return parser


def render_epilog(node):
    lines = []
    if node["examples"]:
        lines.append("examples:")
        for example in node["examples"]:
            lines.append(f"  # {example['help']}")
            lines.append(f"  {example['command']}")
    return "\n".join(lines)


def parse_leaf(node, tokens, program="mlf"):
    """Parse the tokens of a leaf command; returns only what the command line gave."""
    parser = build_parser(node, program, tokens)
    namespace = parser.parse_args(tokens)
    parsed = vars(namespace)
    # Drop positionals that argparse filled with nothing (nargs='?' absent).
    for spec in node["arguments"]:
        if spec["dest"] in parsed and parsed[spec["dest"]] in (None, []) and spec["nargs"] != "*":
            del parsed[spec["dest"]]
    return parsed
