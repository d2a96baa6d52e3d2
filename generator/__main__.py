"""`python -m generator`: compile the manifest and regenerate every generated file.

`python -m generator --check` regenerates in memory and fails (exit 1) when a
file on disk differs, naming the files; tests call it to prove freshness.
"""

import argparse
import sys
from pathlib import Path

from generator.compile import compile_manifest, render_manifest_json
from generator.load import SpecError

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "python -m generator"


def generated_files(manifest):
    """Every generated file: {path relative to the project root: content}."""
    files = {"runtime/_manifest.json": render_manifest_json(manifest)}
    from generator import completion, docs, manpage

    files.update(docs.render_reference(manifest))
    files["docs/man/mlf.1"] = manpage.render_manpage(manifest)
    files.update(completion.render_completions(manifest))
    return files


def stale_files(files, root=ROOT):
    return sorted(path for path, text in files.items()
                  if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Fail if a generated file is stale; write nothing.")
    args = parser.parse_args(argv)
    try:
        manifest = compile_manifest()
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 1
    files = generated_files(manifest)
    stale = stale_files(files)
    if args.check:
        if stale:
            print("stale generated files (run `%s`):\n  %s" % (REGENERATE, "\n  ".join(stale)), file=sys.stderr)
            return 1
        return 0
    for path in stale:
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[path], encoding="utf-8")
    print(f"{len(stale)} file(s) updated, {len(files) - len(stale)} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
