"""`python -m generator`: compile the manifest and regenerate every generated file.

`python -m generator --check` regenerates in memory and fails (exit 1) when a
file on disk differs, or when a file in a generated folder is no longer
generated, naming the files; tests call it to prove freshness.
"""

import argparse
import sys
from pathlib import Path

from generator.compile import compile_manifest, render_manifest_json
from generator.load import SpecError

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "python -m generator"
# Folders that hold nothing but generated files: anything else in them is left over.
GENERATED_DIRS = ("docs/reference", "docs/completion")


def generated_files(manifest):
    """Every generated file: {path relative to the project root: content}."""
    files = {"runtime/_manifest.json": render_manifest_json(manifest)}
    from generator import completion, docs, manpage, wire_schema

    files.update(wire_schema.render_wire_schema())
    files.update(docs.render_reference(manifest))
    files["docs/man/mlf.1"] = manpage.render_manpage(manifest)
    files.update(completion.render_completions(manifest))
    return files


def stale_files(files, root=ROOT):
    """Generated files that are missing on disk or differ from a fresh render."""
    return sorted(path for path, text in files.items()
                  if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text)


def leftover_files(files, root=ROOT):
    """Files in the generated folders that the generator no longer produces."""
    found = []
    for folder in GENERATED_DIRS:
        base = root / folder
        if base.is_dir():
            found.extend(p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file())
    return sorted(path for path in found if path not in files)


def check_message(stale, leftover):
    """The --check failure text; it names the command that fixes it."""
    lines = [f"generated files are out of date; run `{REGENERATE}` and commit the result:"]
    lines += [f"  stale: {path}" for path in stale]
    lines += [f"  no longer generated: {path}" for path in leftover]
    return "\n".join(lines)


def write_files(files, stale, leftover, root=ROOT):
    for path in stale:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(files[path], encoding="utf-8")
        temporary.replace(target)
    for path in leftover:
        (root / path).unlink()


def main(argv=None, root=ROOT):
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Fail if a generated file is stale; write nothing.")
    args = parser.parse_args(argv)
    try:
        manifest = compile_manifest()
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 1
    files = generated_files(manifest)
    stale = stale_files(files, root)
    leftover = leftover_files(files, root)
    if args.check:
        if stale or leftover:
            print(check_message(stale, leftover), file=sys.stderr)
            return 1
        return 0
    write_files(files, stale, leftover, root)
    print(f"{len(stale)} file(s) updated, {len(leftover)} removed, {len(files) - len(stale)} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
