"""Everything `mlf server` was asked to do, resolved once into one object."""

from dataclasses import dataclass, field
from typing import Optional

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DEFAULT_ARTIFACTS_DESTINATION = "./mlartifacts"
DEFAULT_BACKEND_STORE_URI = "mlruns"
PROXIED_ARTIFACT_ROOT = "mlflow-artifacts:/"
DEFAULT_LOCAL_ARTIFACT_ROOT = "./mlruns"


@dataclass
class ServerConfig:
    backend_store_uri: str = DEFAULT_BACKEND_STORE_URI
    registry_store_uri: Optional[str] = None
    default_artifact_root: Optional[str] = None
    serve_artifacts: bool = True
    artifacts_only: bool = False
    artifacts_destination: str = DEFAULT_ARTIFACTS_DESTINATION
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: Optional[int] = None
    static_prefix: str = ""
    allowed_hosts: Optional[list] = None  # None: localhost and private addresses
    cors_allowed_origins: Optional[list] = None  # None: localhost origins only
    disable_security_middleware: bool = False
    x_frame_options: str = "SAMEORIGIN"
    expose_prometheus: Optional[str] = None
    uvicorn_opts: Optional[str] = None
    gunicorn_opts: Optional[str] = None
    waitress_opts: Optional[str] = None
    dev: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.static_prefix = normalize_prefix(self.static_prefix)

    @property
    def resolved_registry_store_uri(self):
        return self.registry_store_uri or self.backend_store_uri

    @property
    def resolved_default_artifact_root(self):
        """Where new experiments put artifacts: mlflow-artifacts:/ when proxying, as MLflow does."""
        if self.default_artifact_root:
            return self.default_artifact_root
        if self.serve_artifacts:
            return PROXIED_ARTIFACT_ROOT
        from runtime.tracking_uri import uri_scheme

        if uri_scheme(self.backend_store_uri) == "file":
            return None  # the file store keeps artifacts next to its metadata
        return DEFAULT_LOCAL_ARTIFACT_ROOT


def normalize_prefix(prefix):
    """'' or '/name' without a trailing slash; refuses anything that is not a plain path."""
    if not prefix:
        return ""
    from runtime.errors import UsageError

    text = prefix.strip()
    if not text.startswith("/"):
        raise UsageError(f"--static-prefix must start with '/', got {prefix!r}")
    text = text.rstrip("/")
    if any(ch in text for ch in "?#%\\ ") or "/../" in text + "/" or "//" in text:
        raise UsageError(f"--static-prefix must be a plain URL path, got {prefix!r}")
    return text
