"""Where `rotate-kek` gets the new passphrase: the option, a file ('-' = stdin), or a hidden
prompt asked twice until both answers match (click's confirmation-prompt behaviour)."""

import getpass
import sys

from runtime.errors import UsageError


def read_new_passphrase(value, path, stdin=None, stderr=None, ask=getpass.getpass):
    stdin = stdin or sys.stdin
    if value is not None and path is not None:
        raise UsageError("Give the new passphrase once: --new-passphrase or --new-passphrase-file, not both.")
    if path is not None:
        try:
            if path == "-":
                text = stdin.readline()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.readline()
        except OSError as exc:
            raise UsageError(f"Cannot read --new-passphrase-file {path}: {exc.strerror}") from None
        value = text.rstrip("\r\n")
    elif value is None:
        if not stdin.isatty():
            raise UsageError("Missing option '--new-passphrase' (no terminal to prompt on: use --new-passphrase-file).")
        while True:
            value = ask("New passphrase: ")
            if value == ask("Repeat for confirmation: "):
                break
            print("Error: The two entered values do not match.", file=stderr or sys.stderr)
    if not value:
        raise UsageError("The new passphrase must not be empty.")
    return value
