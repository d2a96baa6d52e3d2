"""What the reference pages and the man page say: every command and option spelling, documented
defaults instead of evaluated ones, extension marks, env vars; the man page is valid roff."""

import re
import shutil
import subprocess

import pytest

from generator.compile import compile_manifest, iter_nodes
from generator.docs import escape_markdown, render_reference
from generator.manpage import render_manpage

MANIFEST = compile_manifest()
PAGES = render_reference(MANIFEST)
MANPAGE = render_manpage(MANIFEST)
TOP_LEVEL = list(MANIFEST["root"]["commands"].items())


def _page_of(node):
    return PAGES[f"docs/reference/{node['path'].split()[0]}.md"] if node["path"] else PAGES["docs/reference/index.md"]


def _section(page, node):
    """The Markdown of one command's own section (up to the next heading of any command)."""
    title = f"mlf {node['path']}".strip()
    start = re.search(rf"^#+ {re.escape(title)}$", page, flags=re.M)
    assert start, f"no heading for {title}"
    following = re.search(r"^#+ mlf ", page[start.end():], flags=re.M)
    return page[start.start(): start.end() + following.start() if following else len(page)]


def test_one_page_per_top_level_command_and_an_index():
    assert set(PAGES) == {"docs/reference/index.md"} | {f"docs/reference/{name}.md" for name, _ in TOP_LEVEL}
    index = PAGES["docs/reference/index.md"]
    for name, node in TOP_LEVEL:
        assert f"[`mlf {name}`]({name}.md) | {escape_markdown(node['summary'])}" in index


def test_index_lists_every_registered_env_var():
    index = PAGES["docs/reference/index.md"]
    for name, entry in MANIFEST["env_vars"].items():
        assert re.search(rf"^\| `{name}` \|.*\| {re.escape(escape_markdown(' '.join(entry['help'].split())))} \|$", index, flags=re.M), name


NODES = [n for n in iter_nodes(MANIFEST["root"]) if n["path"]]


@pytest.mark.parametrize("node", NODES, ids=[n["path"] for n in NODES])
def test_command_section_documents_everything(node):
    section = _section(_page_of(node), node)
    assert escape_markdown(node["summary"]) in section
    assert f"mlf {node['path']} [OPTIONS]" in section
    for option in node["options"]:
        if option["hidden"]:
            assert f"`{option['flags'][0]}`" not in section
            continue
        row = next(line for line in section.splitlines() if line.startswith(f"| `{option['flags'][0]}`"))
        for flag in option["flags"] + option["negative_flags"]:
            assert f"`{flag}`" in row
        if option.get("envvar"):
            assert f"`{option['envvar']}`" in row
        assert ("| yes |" in row) == option["required"]
        assert ("mlf extension" in row) == option["extension"]
        if option.get("default_doc"):
            assert escape_markdown(option["default_doc"]) in row
        for choice in option.get("choices", []):
            assert f"`{choice}`" in row
    for argument in node["arguments"]:
        assert f"| `{argument['name']}` |" in section
    for example in node["examples"]:
        assert f"```sh\n{example['command']}\n```" in section
    for child in node["commands"].values():
        assert f"(#mlf-{'-'.join(child['path'].split())})" in section


def test_prose_cannot_turn_into_markup():
    assert escape_markdown("use *.example.com or <name>, keep `a*b` and MLFLOW_X") == (
        "use \\*.example.com or &lt;name&gt;, keep `a*b` and MLFLOW_X")
    assert escape_markdown("_x_ and ` alone") == "\\_x\\_ and \\` alone"


def test_extension_commands_are_marked():
    for node in iter_nodes(MANIFEST["root"]):
        if node["path"] and node["extension"]:
            assert "mlf extension" in _section(_page_of(node), node)


def test_documented_default_replaces_the_machine_value():
    with_doc = [(n, o) for n in iter_nodes(MANIFEST["root"]) for o in n["options"] if o.get("default_doc")]
    assert with_doc, "the manifest has no default_doc to check"
    for node, option in with_doc:
        assert escape_markdown(option["default_doc"]) in _section(_page_of(node), node)
        assert option["default_doc"].replace("-", "\\-") in MANPAGE


def test_man_page_header_is_fixed():
    from runtime import __version__

    assert MANPAGE.startswith(f'.TH MLF "1" "2026\\-11\\-28" "mlf {__version__}" "mlf manual"\n')


def _aliases(parent, name):
    return sorted(alias for alias, target in parent["aliases"].items() if target == name)


def test_man_page_lists_every_command_and_option():
    for parent in iter_nodes(MANIFEST["root"]):
        for name, node in parent["commands"].items():
            aliases = _aliases(parent, name)
            title = f"mlf {node['path']}" + (f" ({', '.join(aliases)})" if aliases else "")
            assert f".SS \\fB{title}\\fR".replace("-", "\\-") in MANPAGE
    for node in iter_nodes(MANIFEST["root"]):
        for option in node["options"]:
            if not option["hidden"]:
                for flag in option["flags"]:
                    assert f"\\fB{flag}\\fR".replace("-", "\\-") in MANPAGE
    for name in MANIFEST["env_vars"]:
        assert f".B {name}" in MANPAGE
    assert ".SH EXAMPLES" in MANPAGE and ".SH ENVIRONMENT" in MANPAGE


def test_man_page_renders_without_groff_warnings(tmp_path):
    if not shutil.which("groff"):
        pytest.skip("groff is not installed")
    page = tmp_path / "mlf.1"
    page.write_text(MANPAGE)
    result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(page)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
