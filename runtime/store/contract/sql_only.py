"""Capabilities only SQL backends have (evaluation datasets, issues): how a backend without one refuses.

mlflow's file store refuses these calls with FEATURE_DISABLED; mlf does the same, answering
501 (mlflow answers 500 for this code) since the request itself is well formed.
"""

from runtime.errors import MlfError


class FeatureDisabled(MlfError):
    """A call the configured backend cannot serve (mlflow: FEATURE_DISABLED)."""

    error_code = "FEATURE_DISABLED"

    @property
    def http_status(self):
        return 501

    @classmethod
    def sql_only(cls, operation):
        return cls(f"{operation} is not supported with FileStore. This feature requires a SQL-based tracking "
                   "backend (e.g., SQLite, PostgreSQL, MySQL): start the server with --backend-store-uri "
                   "pointing at a database.")


def store_with(store, capability, operation):
    """store when it implements the capability contract (an ABC); FeatureDisabled otherwise."""
    if not isinstance(store, capability):
        raise FeatureDisabled.sql_only(operation)
    return store
