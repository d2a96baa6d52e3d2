"""Generated run names (<adjective>-<noun>-<3 digits>): one generator for every store.

The word lists live with the file store; this module keeps the import path that
the SQL store and the logged-model stores use.
"""

from runtime.store.file_store import generate_run_name

__all__ = ["generate_run_name"]
