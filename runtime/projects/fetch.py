"""Getting a project's files: a local folder, a .zip, or a git repository (with the git CLI).

URIs may name a subdirectory after '#': `https://host/repo.git#examples/train`.
A local folder runs in place; with a version it must be a git repository, which is then
cloned into a scratch folder and checked out at that version. Git URIs are cloned and
checked out at the version (a branch, tag or commit), else at the remote's default branch.
"""

import os
import re
import shutil
import subprocess
import tempfile
from urllib.parse import unquote, urlsplit, urlunsplit

from runtime.errors import InvalidParameter, MlfError


def split_subdirectory(uri):
    """'uri#sub/dir' -> ('uri', 'sub/dir')."""
    uri = uri.strip("'\"")
    base, _, subdirectory = uri.partition("#")
    subdirectory = subdirectory.strip("/")
    if subdirectory:
        parts = subdirectory.split("/")
        if ".." in parts or os.path.isabs(subdirectory):
            raise InvalidParameter(f"Invalid project subdirectory {subdirectory!r}: it must stay inside the project")
    return base, subdirectory


def local_path(uri):
    """The filesystem path for a plain path or file: URI, or None when the URI is remote."""
    if uri.startswith("file://"):
        parsed = urlsplit(uri)
        path = unquote(parsed.path)  # file:///tmp/a%20b is the folder '/tmp/a b', as the stores read it
        return os.path.join(parsed.netloc, path) if parsed.netloc else path
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", uri) or re.match(r"^[\w.\-]+@[\w.\-]+:", uri):
        return None
    return uri


def is_local(uri):
    path = local_path(uri)
    return path is not None and os.path.exists(path)


def git(args, cwd=None, check=True):
    """Run git; MlfError with its message on failure (or when git is not installed)."""
    git_binary = shutil.which("git")
    if git_binary is None:
        raise MlfError("The 'git' command was not found; it is needed for git project URIs and versions")
    completed = subprocess.run([git_binary, *args], cwd=cwd, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if check and completed.returncode != 0:
        raise MlfError(f"git {' '.join(args[:2])} failed: {completed.stderr.strip() or completed.stdout.strip()}")
    return completed


def is_git_repo(path):
    return shutil.which("git") is not None and git(["rev-parse", "--git-dir"], cwd=path, check=False).returncode == 0


def _clone(uri, version, destination):
    git(["clone", "--quiet", "--recurse-submodules", uri, destination])
    if version is not None:
        checkout = git(["checkout", "--quiet", version], cwd=destination, check=False)
        if checkout.returncode != 0:
            raise MlfError(
                f"Unable to checkout version '{version}' of git repo {uri} - please ensure that the version "
                f"exists in the repo. Error: {checkout.stderr.strip()}"
            )
        git(["submodule", "update", "--init", "--recursive"], cwd=destination)


def _unzip(zip_file, destination):
    import zipfile

    root = os.path.realpath(destination)
    with zipfile.ZipFile(zip_file) as archive:
        for member in archive.infolist():
            target = os.path.realpath(os.path.join(root, member.filename))
            if target != root and not target.startswith(root + os.sep):
                raise InvalidParameter(f"Zip file member {member.filename} attempts path traversal")
        archive.extractall(destination)


def fetch_project(uri, version=None, scratch_root=None):
    """Return (work_dir, fetched) where fetched is True when work_dir is a scratch copy."""
    base, subdirectory = split_subdirectory(uri)
    path = local_path(base)
    if base.endswith(".zip"):
        destination = tempfile.mkdtemp(prefix="mlf-project-", dir=scratch_root)
        if path is not None and os.path.isfile(path):
            _unzip(path, destination)
        else:
            import io

            import requests

            response = requests.get(base, timeout=300)
            if response.status_code >= 400:
                raise MlfError(f"Unable to retrieve ZIP file {base}: HTTP {response.status_code}")
            _unzip(io.BytesIO(response.content), destination)
        fetched = True
    elif path is not None and os.path.exists(path):
        if version is None:
            destination, fetched = os.path.abspath(path), False
        else:
            if not is_git_repo(path):
                raise InvalidParameter("Setting a version is only supported for Git project URIs")
            destination = tempfile.mkdtemp(prefix="mlf-project-", dir=scratch_root)
            top = git(["rev-parse", "--show-toplevel"], cwd=path).stdout.strip()
            _clone(top, version, destination)
            inner = os.path.relpath(os.path.abspath(path), top)
            if inner != ".":
                subdirectory = os.path.join(inner, subdirectory) if subdirectory else inner
            fetched = True
    elif path is not None:
        raise InvalidParameter(f"Project URI {uri!r} is neither an existing folder nor a git or zip URI")
    else:
        destination = tempfile.mkdtemp(prefix="mlf-project-", dir=scratch_root)
        _clone(base, version, destination)
        fetched = True
    work_dir = os.path.abspath(os.path.join(destination, subdirectory))
    if not os.path.isdir(work_dir):
        raise InvalidParameter(f"Could not find subdirectory {subdirectory} of {destination}")
    return work_dir, fetched


# ---- facts recorded as run tags ---------------------------------------------------------------
def git_commit(path):
    if not is_git_repo(path):
        return None
    if git(["check-ignore", "-q", "."], cwd=path, check=False).returncode == 0:
        return None
    result = git(["rev-parse", "HEAD"], cwd=path, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def strip_credentials(url):
    parsed = urlsplit(url)
    if not parsed.scheme or "@" not in parsed.netloc:
        return url
    return urlunsplit((parsed.scheme, parsed.netloc.rpartition("@")[2], parsed.path, parsed.query, parsed.fragment))


def git_repo_url(path):
    if not is_git_repo(path):
        return None
    remotes = git(["remote"], cwd=path, check=False).stdout.split()
    if not remotes:
        return None
    name = "origin" if "origin" in remotes else remotes[0]
    url = git(["remote", "get-url", name], cwd=path, check=False).stdout.strip()
    return strip_credentials(url) if url else None


def is_branch(path, version):
    if version is None or not is_git_repo(path):
        return False
    for ref in (f"refs/heads/{version}", f"refs/remotes/origin/{version}"):
        if git(["rev-parse", "--verify", "--quiet", ref], cwd=path, check=False).returncode == 0:
            return True
    return False


def source_name(uri):
    """What mlflow.source.name records: file://<repo>#<subdir> for local git folders, else the URI."""
    base, _ = split_subdirectory(uri)
    path = local_path(base)
    if "#" in uri or path is None or not os.path.exists(path):
        return uri
    absolute = os.path.abspath(path)
    if not is_git_repo(absolute):
        return absolute
    top = os.path.realpath(git(["rev-parse", "--show-toplevel"], cwd=absolute).stdout.strip())
    relative = os.path.relpath(os.path.realpath(absolute), top)
    return f"file://{top}" if relative == "." else f"file://{top}#{relative}"
