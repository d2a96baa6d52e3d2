"""The generated completion scripts really complete: bash through its completion function with
COMP_WORDS/COMP_CWORD set, zsh through compinit in a pseudo-terminal."""

import os
import pty
import select
import shutil
import subprocess
import time

import pytest

from generator.compile import compile_manifest, iter_nodes
from generator.completion import BASH_PATH, ZSH_PATH, render_completions

MANIFEST = compile_manifest()
SCRIPTS = render_completions(MANIFEST)
GROUPS = [n for n in iter_nodes(MANIFEST["root"]) if n["commands"]]
LEAVES = [n for n in iter_nodes(MANIFEST["root"]) if not n["commands"]]
ALIASES = [(parent, alias, parent["commands"][target]) for parent in iter_nodes(MANIFEST["root"])
           for alias, target in parent["aliases"].items()]
CHOICE_OPTIONS = [(n, o) for n in iter_nodes(MANIFEST["root"]) for o in n["options"] if o.get("choices")]


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory):
    path = tmp_path_factory.mktemp("completion") / "mlf.bash"
    path.write_text(SCRIPTS[BASH_PATH])
    return path


def bash_complete(script, words, cwd=None):
    """COMPREPLY of _mlf for the words typed so far (the last word is the one being completed)."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    program = (f"source '{script}'\n"
               f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=()\n"
               "_mlf\n"
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                            cwd=cwd, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return sorted(line for line in result.stdout.splitlines() if line)


def _words(node):
    return ["mlf", *node["path"].split()]


def _long_flags(node):
    return sorted([f for o in node["options"] if not o["hidden"] for f in o["flags"] + o["negative_flags"]
                   if f.startswith("--")] + ["--help"])


def test_bash_script_syntax(bash_script):
    subprocess.run(["bash", "-n", str(bash_script)], check=True)


@pytest.mark.parametrize("node", GROUPS, ids=[n["path"] or "(root)" for n in GROUPS])
def test_bash_completes_subcommands_at_every_level(bash_script, node):
    expected = sorted(list(node["commands"]) + list(node["aliases"]))
    assert bash_complete(bash_script, _words(node) + [""]) == expected


@pytest.mark.parametrize("node", LEAVES, ids=[n["path"] for n in LEAVES])
def test_bash_completes_options_of_each_command(bash_script, node):
    assert bash_complete(bash_script, _words(node) + ["--"]) == _long_flags(node)


@pytest.mark.parametrize("parent, alias, target", ALIASES, ids=[a for _, a, _ in ALIASES])
def test_bash_follows_aliases(bash_script, parent, alias, target):
    words = ["mlf", *parent["path"].split(), alias]
    if target["commands"]:
        assert bash_complete(bash_script, words + [""]) == sorted(list(target["commands"]) + list(target["aliases"]))
    else:
        assert bash_complete(bash_script, words + ["--"]) == _long_flags(target)


@pytest.mark.parametrize("node, option", CHOICE_OPTIONS, ids=[f"{n['path']} {o['flags'][0]}" for n, o in CHOICE_OPTIONS])
def test_bash_completes_choices(bash_script, node, option):
    assert bash_complete(bash_script, _words(node) + [option["flags"][0], ""]) == sorted(option["choices"])


def test_bash_prefixes_and_word_forms(bash_script):
    assert bash_complete(bash_script, ["mlf", "ex"]) == ["experiments"]
    assert bash_complete(bash_script, ["mlf", "experiments", "get", "--output", "j"]) == ["json"]
    # COMP_WORDBREAKS splits "--output=j" into three words; without "=" in it the word stays whole.
    assert bash_complete(bash_script, ["mlf", "experiments", "get", "--output", "=", "j"]) == ["json"]
    assert bash_complete(bash_script, ["mlf", "experiments", "get", "--output", "="]) == ["json", "table"]
    assert bash_complete(bash_script, ["mlf", "experiments", "get", "--output=t"]) == ["--output=table"]
    assert bash_complete(bash_script, ["mlf", "experiments", "get", "-"]) == sorted(
        ["--experiment-id", "-x", "--experiment-name", "-n", "--output", "--help"])


def test_bash_skips_option_values_while_walking(bash_script):
    # "runs" and "create" here are values, not subcommands.
    words = ["mlf", "--env-file", "runs", "experiments", "create", "--experiment-name", "create", "--a"]
    assert bash_complete(bash_script, words) == ["--artifact-location"]
    words = ["mlf", "runs", "create", "-t", "a=b", "--experiment-id", "3", "--st"]
    assert bash_complete(bash_script, words) == ["--status"]
    # A flag takes no value: the next word is completed as an option again.
    assert bash_complete(bash_script, ["mlf", "gc", "--dry-run", "--ol"]) == ["--older-than"]


def test_bash_free_text_values_complete_nothing(bash_script):
    assert bash_complete(bash_script, ["mlf", "experiments", "get", "--experiment-id", ""]) == []
    assert bash_complete(bash_script, ["mlf", "db", "upgrade", ""]) == []


def test_bash_completes_files_and_folders(bash_script, tmp_path):
    (tmp_path / "settings.env").write_text("A=1\n")
    (tmp_path / "settings-dir").mkdir()
    (tmp_path / "other.txt").write_text("")
    assert bash_complete(bash_script, ["mlf", "--env-file", "sett"], cwd=tmp_path) == ["settings-dir", "settings.env"]
    # --local-dir (metavar DIR) offers folders only.
    words = ["mlf", "artifacts", "log-artifacts", "--local-dir", "sett"]
    assert bash_complete(bash_script, words, cwd=tmp_path) == ["settings-dir"]
    words = ["mlf", "artifacts", "log-artifact", "-l", "oth"]
    assert bash_complete(bash_script, words, cwd=tmp_path) == ["other.txt"]


# ---- zsh: a real interactive zsh with compinit, completing in a pseudo-terminal ----

ZSHRC = r"""
fpath=({fpath} $fpath)
autoload -Uz compinit && compinit -u -D
PROMPT=''
bindkey '^I' complete-word
# Print every match zsh would offer (calls that only collect matches pass straight through).
compadd() {{
  if [[ ${{@[1,(i)(-|--)]}} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"; return $?
  fi
  local -a __hits
  builtin compadd -A __hits "$@"
  local h; for h in $__hits; do print -r -- "MATCH:$h"; done
  builtin compadd "$@"
}}
_t_begin() {{ print -r -- "<<BEGIN>>" }}
_t_end() {{ print -r -- "<<END>>"; exit }}
compprefuncs=(_t_begin)
comppostfuncs=(_t_end)
print -r -- "<<READY>>"
"""


def _read_until(fd, marker, deadline):
    data = b""
    while marker not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data


@pytest.fixture(scope="module")
def zsh_home(tmp_path_factory):
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed")
    home = tmp_path_factory.mktemp("zsh")
    (home / "functions").mkdir()
    (home / "functions" / "_mlf").write_text(SCRIPTS[ZSH_PATH])
    (home / ".zshrc").write_text(ZSHRC.format(fpath=home / "functions"))
    return home


def zsh_complete(home, line, cwd=None):
    master, slave = pty.openpty()
    env = {"ZDOTDIR": str(home), "HOME": str(home), "TERM": "dumb", "PATH": os.environ["PATH"]}
    process = subprocess.Popen(["zsh", "-i"], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                               close_fds=True)
    os.close(slave)
    try:
        deadline = time.monotonic() + 20
        assert b"<<READY>>" in _read_until(master, b"<<READY>>", deadline), "zsh did not start"
        os.write(master, (line + "\t").encode())
        output = _read_until(master, b"<<END>>", deadline).decode(errors="replace")
    finally:
        process.kill()
        process.wait()
        os.close(master)
    assert "<<END>>" in output, f"completion did not finish: {output!r}"
    body = output.split("<<BEGIN>>")[-1]
    return sorted({line.strip()[len("MATCH:"):] for line in body.splitlines() if line.strip().startswith("MATCH:")})


def test_zsh_script_syntax():
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed")
    subprocess.run(["zsh", "-n", "-c", SCRIPTS[ZSH_PATH]], check=True)


def test_zsh_completes_commands_options_and_values(zsh_home, tmp_path):
    root = MANIFEST["root"]
    assert zsh_complete(zsh_home, "mlf ") == sorted(list(root["commands"]) + list(root["aliases"]))
    assert zsh_complete(zsh_home, "mlf experiments ") == sorted(MANIFEST["root"]["commands"]["experiments"]["commands"])
    assert zsh_complete(zsh_home, "mlf experiments get --") == ["--experiment-id", "--experiment-name", "--help",
                                                                "--output"]
    assert zsh_complete(zsh_home, "mlf experiments get --output ") == ["json", "table"]
    assert zsh_complete(zsh_home, "mlf runs create --status=F") == ["FAILED", "FINISHED"]
    # A used option is not offered again; a repeatable one (-t/--tags) is.
    assert "--status" not in zsh_complete(zsh_home, "mlf runs create --status FAILED --")
    assert "--tags" in zsh_complete(zsh_home, "mlf runs create --tags a=b --")
    (tmp_path / "local.env").write_text("A=1\n")
    assert zsh_complete(zsh_home, "mlf --env-file loc", cwd=tmp_path) == ["local.env"]
