"""The model registry over MLflow's REST API (mlf's server or mlflow's).

RestModelRegistryStore speaks the registered-models/* and model-versions/*
endpoints (logged-models/* live in runtime.store.rest.logged_models).
Connection settings, retries and error mapping are the REST tracking store's.
"""

from runtime.entities import PagedList
from runtime.registry_entities import ModelVersion, RegisteredModel
from runtime.store.rest.logged_models import tag_list as _tag_list
from runtime.store.contract.model_registry import ModelRegistryStore
from runtime.store.rest.store import RestStore


def _model(data):
    return RegisteredModel.from_dict(data["registered_model"])


def _version(data):
    return ModelVersion.from_dict(data["model_version"])


class RestModelRegistryStore(ModelRegistryStore):
    # Connection plumbing (credentials from the environment, retries, error mapping) is the REST store's.
    __init__ = RestStore.__init__
    _rpc = RestStore._rpc
    close = RestStore.close

    # ---- registered models -------------------------------------------
    def _create_registered_model(self, name, tags, description, user_id):
        body = {"name": name, "tags": _tag_list(tags), "description": description}
        return _model(self._rpc("createRegisteredModel", body))

    def get_registered_model(self, name):
        return _model(self._rpc("getRegisteredModel", {"name": name}))

    def _update_registered_model(self, name, description):
        return _model(self._rpc("updateRegisteredModel", {"name": name, "description": description}))

    def rename_registered_model(self, name, new_name):
        return _model(self._rpc("renameRegisteredModel", {"name": name, "new_name": new_name}))

    def delete_registered_model(self, name):
        self._rpc("deleteRegisteredModel", {"name": name})

    def search_registered_models(self, filter_string=None, max_results=None, order_by=None, page_token=None):
        body = {"filter": filter_string, "max_results": max_results, "order_by": list(order_by or []),
                "page_token": page_token}
        data = self._rpc("searchRegisteredModels", body)
        return PagedList([RegisteredModel.from_dict(m) for m in data.get("registered_models", [])],
                         data.get("next_page_token"))

    def get_latest_versions(self, name, stages=None):
        data = self._rpc("getLatestVersions", {"name": name, "stages": list(stages or [])})
        return [ModelVersion.from_dict(v) for v in data.get("model_versions", [])]

    def _set_registered_model_tag(self, name, key, value):
        self._rpc("setRegisteredModelTag", {"name": name, "key": key, "value": value})

    def _delete_registered_model_tag(self, name, key):
        self._rpc("deleteRegisteredModelTag", {"name": name, "key": key})

    # ---- aliases -------------------------------------------------------
    def _set_registered_model_alias(self, name, alias, version):
        self._rpc("setRegisteredModelAlias", {"name": name, "alias": alias, "version": str(version)})

    def _delete_registered_model_alias(self, name, alias):
        self._rpc("deleteRegisteredModelAlias", {"name": name, "alias": alias})

    def _get_model_version_by_alias(self, name, alias):
        return _version(self._rpc("getModelVersionByAlias", {"name": name, "alias": alias}))

    # ---- model versions ------------------------------------------------
    def _create_model_version(self, name, source, run_id, tags, run_link, description, model_id, user_id):
        body = {"name": name, "source": source, "run_id": run_id, "tags": _tag_list(tags), "run_link": run_link,
                "description": description, "model_id": model_id}
        return _version(self._rpc("createModelVersion", body))

    def get_model_version(self, name, version):
        return _version(self._rpc("getModelVersion", {"name": name, "version": str(version)}))

    def _update_model_version(self, name, version, description):
        body = {"name": name, "version": str(version), "description": description}
        return _version(self._rpc("updateModelVersion", body))

    def _transition_model_version_stage(self, name, version, stage, archive_existing_versions):
        body = {"name": name, "version": str(version), "stage": stage,
                "archive_existing_versions": bool(archive_existing_versions)}
        return _version(self._rpc("transitionModelVersionStage", body))

    def delete_model_version(self, name, version):
        self._rpc("deleteModelVersion", {"name": name, "version": str(version)})

    def get_model_version_download_uri(self, name, version):
        data = self._rpc("getModelVersionDownloadUri", {"name": name, "version": str(version)})
        return data["artifact_uri"]

    def search_model_versions(self, filter_string=None, max_results=None, order_by=None, page_token=None):
        body = {"filter": filter_string, "max_results": max_results, "order_by": list(order_by or []),
                "page_token": page_token}
        data = self._rpc("searchModelVersions", body)
        return PagedList([ModelVersion.from_dict(v) for v in data.get("model_versions", [])],
                         data.get("next_page_token"))

    def _set_model_version_tag(self, name, version, key, value):
        body = {"name": name, "version": str(version), "key": key, "value": value}
        self._rpc("setModelVersionTag", body)

    def _delete_model_version_tag(self, name, version, key):
        self._rpc("deleteModelVersionTag", {"name": name, "version": str(version), "key": key})
