"""Artifacts on the local filesystem (plain paths and file: URIs)."""

import os
import shutil

from runtime.entities import FileInfo
from runtime.errors import InvalidParameter, NotFound
from runtime.fsutil import atomic_copy, contained_path
from runtime.validation import validate_artifact_path


class LocalArtifactRepository:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    def _path(self, artifact_path):
        relative = validate_artifact_path(artifact_path)
        return contained_path(self.root, relative), relative

    def log_artifact(self, local_file, artifact_path=None):
        if not os.path.isfile(local_file):
            raise InvalidParameter(f"Local file {local_file} does not exist or is not a file")
        _, relative = self._path(artifact_path)
        name = os.path.basename(local_file)
        atomic_copy(local_file, contained_path(self.root, f"{relative}/{name}" if relative else name))

    def log_artifacts(self, local_dir, artifact_path=None):
        if not os.path.isdir(local_dir):
            raise InvalidParameter(f"Local folder {local_dir} does not exist or is not a folder")
        folder, _ = self._path(artifact_path)
        for current, _dirs, files in os.walk(local_dir):
            relative = os.path.relpath(current, local_dir)
            target_dir = folder if relative == "." else os.path.join(folder, relative)
            os.makedirs(target_dir, exist_ok=True)
            for name in files:
                atomic_copy(os.path.join(current, name), os.path.join(target_dir, name))

    def list_artifacts(self, path=None):
        folder, relative = self._path(path)
        if not os.path.isdir(folder):
            return []
        infos = []
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.startswith(".tmp-"):
                continue  # an upload in progress
            child = f"{relative}/{entry.name}" if relative else entry.name
            if entry.is_dir(follow_symlinks=False):
                infos.append(FileInfo(child, True, None))
            elif entry.is_file(follow_symlinks=False):
                infos.append(FileInfo(child, False, entry.stat().st_size))
        return infos

    def open_artifact(self, path):
        """A binary file handle for one artifact file (for streaming)."""
        target, _ = self._path(path)
        if not os.path.isfile(target):
            raise NotFound(f"No artifact file at {path!r}")
        return open(target, "rb")

    def download_artifacts(self, artifact_path, dst_path):
        """Copy a file or folder into dst_path; returns the local path of the copy."""
        source, relative = self._path(artifact_path)
        if not os.path.exists(source):
            raise NotFound(f"No artifact at {artifact_path!r} under {self.root}")
        destination = os.path.join(dst_path, relative) if relative else dst_path
        if os.path.isdir(source):
            for current, _dirs, files in os.walk(source):
                inner = os.path.relpath(current, source)
                target_dir = destination if inner == "." else os.path.join(destination, inner)
                os.makedirs(target_dir, exist_ok=True)
                for name in files:
                    atomic_copy(os.path.join(current, name), os.path.join(target_dir, name))
            os.makedirs(destination, exist_ok=True)
        else:
            atomic_copy(source, destination)
        return os.path.abspath(destination)

    def delete_artifacts(self, artifact_path=None):
        target, _ = self._path(artifact_path)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        elif os.path.lexists(target):
            os.unlink(target)
