"""The issues contract: problems found in an experiment's traces (by people or by an LLM judge),
kept as mlflow's SQL tracking store keeps them. Only SQL backends implement it; the file
store answers FEATURE_DISABLED, as mlflow's does.

Issues travel as wire-shaped dicts. Semantics follow mlflow: ids are ``iss-<hex>``; an
issue belongs to an active experiment; status is pending (default), rejected or resolved;
severity, when set, is not_an_issue, low, medium or high. Search orders by severity
(highest first), then by how many traces an issue assessment marks (when counted), newest first.
"""

from abc import ABC, abstractmethod

from runtime.errors import InvalidParameter

ISSUE_ID_PREFIX = "iss-"
STATUSES = ("pending", "rejected", "resolved")
SEVERITIES = ("not_an_issue", "low", "medium", "high")  # lowest to highest
DEFAULT_SEARCH_RESULTS = 100


def check_choice(value, choices, name):
    """value when it is one of choices (None passes); INVALID_PARAMETER_VALUE otherwise."""
    if value is not None and value not in choices:
        raise InvalidParameter(f"Invalid value \"{value}\" for parameter '{name}' supplied: expected one of "
                               + ", ".join(choices))
    return value


class IssueStore(ABC):
    @abstractmethod
    def create_issue(self, experiment_id, name, description, status=None, severity=None, root_causes=None,
                     source_run_id=None, categories=None, created_by=None):
        """The new issue."""

    @abstractmethod
    def get_issue(self, issue_id):
        """The issue; NotFound when missing."""

    @abstractmethod
    def update_issue(self, issue_id, name=None, description=None, status=None, severity=None):
        """Change the given fields (None leaves a field as it is); returns the issue."""

    @abstractmethod
    def search_issues(self, experiment_id=None, filter_string=None, max_results=None, page_token=None,
                      include_trace_count=False):
        """A PagedList of issues ("status = 'x'" and "source_run_id != 'y'" filters, joined with AND)."""
