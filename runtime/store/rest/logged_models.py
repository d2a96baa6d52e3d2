"""Logged models over MLflow's REST API: the logged-models/* endpoints.

LoggedModelsRestMixin adds them to the REST tracking store; it needs the
host's ``_rpc(name, body, path)`` (JSON in, JSON out, errors raised as
runtime.errors types). This module does not import the REST store, so the
store can import it.
"""

from runtime.entities import PagedList
from runtime.errors import MlfError
from runtime.registry_entities import LoggedModel, LoggedModelStatus
from runtime.store.contract.model_registry import LoggedModelStore


def tag_list(mapping):
    """{key: value} -> [{"key", "value"}] as the API carries tags and params."""
    return [{"key": k, "value": "" if v is None else str(v)} for k, v in (mapping or {}).items()]


def _model(model_id):
    return {"model_id": model_id}


class LoggedModelsRestMixin(LoggedModelStore):
    """logged-models/* for a REST tracking store (host provides _rpc)."""

    def _create_logged_model(self, experiment_id, name, source_run_id, tags, params, model_type):
        body = {"experiment_id": experiment_id, "name": name, "source_run_id": source_run_id,
                "model_type": model_type, "tags": tag_list(tags), "params": tag_list(params)}
        return LoggedModel.from_dict(self._rpc("createLoggedModel", body)["model"])

    def _get_logged_model(self, model_id, allow_deleted):
        return LoggedModel.from_dict(self._rpc("getLoggedModel", path=_model(model_id))["model"])

    def _finalize_logged_model(self, model_id, status):
        body = {"model_id": model_id, "status": LoggedModelStatus.to_proto(status)}
        return LoggedModel.from_dict(self._rpc("finalizeLoggedModel", body, path=_model(model_id))["model"])

    def _set_logged_model_tags(self, model_id, tags):
        self._rpc("setLoggedModelTags", {"tags": tag_list(tags)}, path=_model(model_id))

    def _delete_logged_model_tag(self, model_id, key):
        self._rpc("deleteLoggedModelTag", path={"model_id": model_id, "tag_key": key})

    def _log_logged_model_params(self, model_id, params):
        self._rpc("LogLoggedModelParams", {"model_id": model_id, "params": tag_list(params)}, path=_model(model_id))

    def record_logged_model_metrics(self, run_id, metrics):
        """The server attaches model metrics itself when they are logged to the run."""

    def _search_logged_models(self, experiment_ids, query):
        if not experiment_ids:
            return PagedList([], None)  # what local stores answer; a server insists on at least one
        body = {"experiment_ids": [str(e) for e in experiment_ids], "filter": query.filter_string,
                "datasets": query.datasets, "max_results": query.max_results, "order_by": query.order_by,
                "page_token": query.page_token}
        data = self._rpc("searchLoggedModels", {k: v for k, v in body.items() if v is not None})
        return PagedList([LoggedModel.from_dict(m) for m in data.get("models", [])], data.get("next_page_token"))

    def _delete_logged_model(self, model_id):
        self._rpc("deleteLoggedModel", path=_model(model_id))

    def _no_gc(self, *args, **kwargs):
        raise MlfError(
            "Permanent deletion of logged models is not part of the REST API: run `mlf gc` with "
            "--backend-store-uri naming the server's backend store."
        )

    get_deleted_logged_models = hard_delete_logged_model = _no_gc
