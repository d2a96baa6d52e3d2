"""Issue routes (/api/3.0/mlflow/issues...), as mlflow serves them; the file store answers
FEATURE_DISABLED, as mlflow's does."""

from runtime.server.routing import require, rpc_table_routes
from runtime.store.contract.issues import IssueStore
from runtime.store.contract.sql_only import store_with

SERVICE = "mlflow.MlflowService."
RPCS = {  # search before get: POST /issues/search is its own path, GET /issues/{id} reads one
    "searchIssues": "search_issues",
    "createIssue": "create_issue",
    "getIssue": "get_issue",
    "updateIssue": "update_issue",
}


def _list(body, name):
    values = body.get(name) or []
    return values if isinstance(values, list) else [values]


class IssueHandlers:
    def __init__(self, ctx):
        self.ctx = ctx

    def store(self, operation):
        return store_with(self.ctx.tracking_store, IssueStore, operation)

    def create_issue(self, body, request):
        issue = self.store("create_issue").create_issue(
            require(body, "experiment_id"), require(body, "name"), require(body, "description"),
            status=body.get("status"), severity=body.get("severity"), root_causes=_list(body, "root_causes"),
            source_run_id=body.get("source_run_id") or None, categories=_list(body, "categories"),
            created_by=body.get("created_by") or None)
        return {"issue": issue}

    def get_issue(self, body, request):
        return {"issue": self.store("get_issue").get_issue(require(body, "issue_id"))}

    def update_issue(self, body, request):
        issue = self.store("update_issue").update_issue(
            require(body, "issue_id"), name=body.get("name") or None, description=body.get("description") or None,
            status=body.get("status"), severity=body.get("severity"))
        return {"issue": issue}

    def search_issues(self, body, request):
        page = self.store("search_issues").search_issues(
            experiment_id=body.get("experiment_id") or None, filter_string=body.get("filter_string") or None,
            max_results=body.get("max_results"), page_token=body.get("page_token") or None,
            include_trace_count=bool(body.get("include_trace_count")))
        answer = {"issues": list(page)} if page else {}
        if page.token:
            answer["next_page_token"] = page.token
        return answer


def routes(ctx):
    return rpc_table_routes(SERVICE, RPCS, IssueHandlers(ctx))
