"""Entry point of `mlf`: staged parsing of the command line and dispatch.

Stage 1 reads root options (--help, --version, --env-file) by hand. Stage 2
walks group words through the manifest. Stage 3 builds the argparse parser of
the one command that runs. Help for the root and for groups is rendered from
the manifest, so `mlf --help` imports no handler and no heavy library.
"""

import difflib
import os
import sys

from runtime.cli.manifest import find_child, load_manifest
from runtime.errors import MlfError, UsageError

HELP_FLAGS = ("--help", "-h")


def _suggest(word, node):
    names = list(node["commands"]) + list(node["aliases"])
    close = difflib.get_close_matches(word, names, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def _read_root_options(tokens, manifest):
    """Consume root options; returns (remaining tokens, action) where action is 'help', 'version' or None."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in HELP_FLAGS:
            return tokens[index + 1:], "help"
        if token == "--version":
            return tokens[index + 1:], "version"
        if token == "--env-file" or token.startswith("--env-file="):
            if "=" in token:
                path = token.split("=", 1)[1]
            elif index + 1 < len(tokens):
                index += 1
                path = tokens[index]
            else:
                raise UsageError("Option '--env-file' requires an argument.")
            from runtime.cli.envfile import apply_env_file

            apply_env_file(path)
            index += 1
            continue
        if token.startswith("-"):
            raise UsageError(f"No such option: {token} (see '{manifest['program']} --help')")
        break
    return tokens[index:], None


def _walk(tokens, manifest):
    """Follow group words; returns (node, remaining tokens, show_help)."""
    node = manifest["root"]
    while node["commands"]:
        if not tokens:
            return node, tokens, not node["handler"]
        word = tokens[0]
        if word in HELP_FLAGS:
            return node, tokens, not node["handler"] or word == "-h"
        child = find_child(node, word)
        if child is None:
            if node["handler"]:
                break  # a group that also runs on its own (its options/arguments follow)
            prog = f"{manifest['program']} {node['path']}".strip()
            raise UsageError(f"No such command '{word}'.{_suggest(word, node)} (see '{prog} --help')")
        node, tokens = child, tokens[1:]
    return node, tokens, False


def run(argv, stdout=None, stderr=None):
    """Run one command line; returns the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    manifest = load_manifest()
    tokens, action = _read_root_options(list(argv), manifest)
    if action == "version":
        from runtime import __version__

        print(f"{manifest['program']}, version {__version__}", file=stdout)
        return 0
    if action == "help":
        from runtime.cli.help import render_group_help

        stdout.write(render_group_help(manifest["root"], manifest))
        return 0
    node, tokens, show_help = _walk(tokens, manifest)
    if show_help:
        from runtime.cli.help import render_group_help

        stdout.write(render_group_help(node, manifest))
        # Like click: a bare group prints its help and exits 2; an explicit --help exits 0.
        return 0 if tokens and tokens[0] in HELP_FLAGS else 2
    from runtime.cli.context import Context
    from runtime.cli.dispatch import call_handler
    from runtime.cli.groups import check_groups, flag_names
    from runtime.cli.output import render
    from runtime.cli.parser import parse_leaf
    from runtime.cli.values import resolve

    parsed = parse_leaf(node, tokens, manifest["program"])
    values, sources = resolve(node["options"] + node["arguments"], parsed)
    check_groups(node, sources, flag_names(node))
    ctx = Context(node["path"], sources, stdout=stdout, stderr=stderr)
    try:
        try:
            result = call_handler(node, values, ctx)
        except MlfError as exc:
            if exc.param in values:  # an engine error about one value: say which flag it came from
                exc.message = exc.naming(flag_names(node)(exc.param))
                exc.args = (exc.message,)
            raise
        text = render(result, values.get("output") or "table")
        if text is not None:
            print(text, file=stdout)
    finally:
        ctx.close()
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        code = run(argv)
    except MlfError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        print("Aborted.", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        # The reader went away (mlf ... | head); exit quietly like other CLI tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, no traceback
        if os.environ.get("MLF_DEBUG"):
            raise
        print(f"Error: unexpected {type(exc).__name__}: {exc} (set MLF_DEBUG=1 for a traceback)", file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
