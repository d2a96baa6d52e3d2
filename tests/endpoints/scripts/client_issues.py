"""Run by the real mlflow 3.17.2 client against `mlf server` (MLFLOW_TRACKING_URI): the issues API
through the client's REST tracking store (mlflow has no fluent call for it). Prints one JSON line."""

import json

from mlflow import MlflowClient
from mlflow.entities.issue import IssueSeverity, IssueStatus
from mlflow.exceptions import MlflowException
from mlflow.tracking._tracking_service.utils import _get_store

client = MlflowClient()
experiment_id = client.create_experiment("issues")
run = client.create_run(experiment_id)
store = _get_store()
seen = {}

low = store.create_issue(experiment_id, "slow answers", "latency above 5s", severity=IssueSeverity.LOW,
                         root_causes=["cold cache"], categories=["latency"], source_run_id=run.info.run_id,
                         created_by="judge")
high = store.create_issue(experiment_id, "wrong refunds", "quotes 60 days", severity=IssueSeverity.HIGH)
seen["created"] = {"status": str(low.status), "severity": str(low.severity), "root_causes": low.root_causes,
                   "categories": low.categories, "source_run_id": low.source_run_id == run.info.run_id,
                   "created_by": low.created_by, "id_prefix": low.issue_id[:4]}

updated = store.update_issue(high.issue_id, status=IssueStatus.RESOLVED, name="wrong refund policy")
seen["updated"] = [str(updated.status), updated.name, updated.description]
seen["fetched"] = store.get_issue(high.issue_id).name
seen["order"] = [i.name for i in store.search_issues(experiment_id=experiment_id)]
seen["resolved"] = [i.name for i in store.search_issues(experiment_id=experiment_id,
                                                        filter_string="status = 'resolved'")]
seen["counted"] = [i.trace_count for i in store.search_issues(experiment_id=experiment_id,
                                                              include_trace_count=True)]
page = store.search_issues(experiment_id=experiment_id, max_results=1)
seen["paged"] = [len(page), bool(page.token),
                 [i.name for i in store.search_issues(experiment_id=experiment_id, page_token=page.token)]]
try:
    store.get_issue("iss-missing")
    seen["missing"] = None
except MlflowException as exc:
    seen["missing"] = [exc.error_code, exc.message]
try:
    store.create_issue("424242", "x", "y")
    seen["no_experiment"] = None
except MlflowException as exc:
    seen["no_experiment"] = exc.error_code
print(json.dumps(seen))
