"""Which artifact locations the server may touch, and the repository behind each.

Clients choose experiment artifact locations (and, through the registry,
model-version sources); the server later lists and serves files under them.
A local location is therefore accepted only inside the server's own artifact
roots (--artifacts-destination, a local --default-artifact-root, the file
store's folder), so no request can make the server read or write elsewhere
on its disk. mlflow-artifacts:/ URIs resolve below --artifacts-destination.
"""

import os
from urllib.parse import unquote, urlparse

from runtime.errors import InvalidParameter
from runtime.validation import validate_artifact_location, validate_artifact_path

PROXY_SCHEME = "mlflow-artifacts"


def _scheme(uri):
    from runtime.artifacts.repository import artifact_scheme

    return artifact_scheme(uri)


def _is_local(uri):
    return _scheme(uri) == "file"


def _local_path(uri):
    from runtime.tracking_uri import local_path_from_uri

    return os.path.realpath(os.path.abspath(local_path_from_uri(uri)))


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class ArtifactAccess:
    def __init__(self, config):
        self.config = config

    def local_roots(self):
        """Real paths of the folders local artifact locations may live in."""
        config = self.config
        candidates = [config.artifacts_destination]
        root = config.resolved_default_artifact_root
        if root:
            candidates.append(root)
        from runtime.tracking_uri import uri_scheme

        if uri_scheme(config.backend_store_uri) == "file":
            candidates.append(config.backend_store_uri)
        return [_local_path(c) for c in candidates if c and _is_local(c)]

    def check_location(self, location, what="artifact_location"):
        """Refuse a client-chosen artifact location the server must not use; returns it unchanged."""
        if location is None or location == "":
            return location
        validate_artifact_location(location, what)
        parsed = urlparse(location)
        if parsed.fragment or parsed.params or parsed.query or "#" in location or "?" in location:
            raise InvalidParameter(f"Invalid {what} {location!r}: URLs can't include a query, params or a fragment")
        scheme = _scheme(location)
        if scheme in ("runs", "models"):
            raise InvalidParameter(f"Invalid {what} {location!r}: {scheme}:/ URIs can't be artifact locations")
        if scheme == "file":
            self._check_local(location, what)
        else:
            path = unquote(parsed.path)
            if ".." in path.replace("\\", "/").split("/"):
                raise InvalidParameter(f"Invalid {what} {location!r}: '..' is not allowed")
        return location

    def _check_local(self, location, what):
        raw = location[len("file:"):] if location.startswith("file:") else location
        if ".." in unquote(raw).replace("\\", "/").split("/"):
            raise InvalidParameter(f"Invalid {what} {location!r}: '..' is not allowed")
        path = _local_path(location)
        if not any(_inside(path, root) for root in self.local_roots()):
            raise InvalidParameter(
                f"Invalid {what} {location!r}: local artifact locations must be inside the server's artifact root"
            )

    def proxied_relative_path(self, uri):
        """mlflow-artifacts:/a/b (or mlflow-artifacts://host/a/b) -> 'a/b', checked."""
        parsed = urlparse(uri)
        return validate_artifact_path(parsed.path.lstrip("/"))

    def repository_for(self, uri):
        """The repository the server itself uses for an artifact URI stored in its backend."""
        from runtime.artifacts.local import LocalArtifactRepository
        from runtime.artifacts.repository import get_artifact_repository

        scheme = _scheme(uri)
        if scheme == PROXY_SCHEME:
            destination = self.config.artifacts_destination
            relative = self.proxied_relative_path(uri)
            if _is_local(destination):
                from runtime.fsutil import contained_path

                # contained_path resolves symlinks: a link below the root cannot lead outside it.
                return LocalArtifactRepository(contained_path(_local_path(destination), relative))
            from runtime.artifacts.repository import join_uri

            return get_artifact_repository(join_uri(destination, relative))
        if scheme == "file":
            self._check_local(uri, "artifact location")
            return LocalArtifactRepository(_local_path(uri))
        return get_artifact_repository(uri)
