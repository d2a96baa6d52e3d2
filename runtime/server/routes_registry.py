"""Model registry and logged-model REST routes.

registered-models/* and model-versions/* (ModelRegistryService) are served by
the registry store at --registry-store-uri (default: the backend store);
logged-models/* (MlflowService) by the tracking store. Handlers take the parsed
request (proto field names, see runtime/wire/protocol.py) and return the response message
as a dict; names, versions, ids and keys are validated before a store sees them.

A model version's source may name a models:/ or runs:/ URI, a remote location,
or a local path inside the server's artifact roots; any other local path is
refused, so the registry cannot be used to read files elsewhere on the server.
"""

from runtime.errors import InvalidParameter, MlfError
from runtime.registry_entities import LoggedModelStatus
from runtime.server.artifact_access import ArtifactAccess
from runtime.server.routing import error_response, internal_error_response, require, rpc_table_routes
from runtime.server.routes_tracking import paged

MODEL_VERSIONS_TAG = "mlflow.modelVersions"
PROMPT_TAG = "mlflow.prompt.is_prompt"
SOURCE_PATTERN_ENV = "MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX"
from runtime.validation import (
    validate_artifact_path,
    validate_experiment_id,
    validate_key,
    validate_logged_model_id,
    validate_model_alias,
    validate_model_name,
    validate_model_version,
    validate_param,
    validate_registry_tag,
    validate_run_id,
    validate_tag,
)
from runtime.wire.protocol import missing_parameter

REGISTRY = "mlflow.ModelRegistryService."
TRACKING = "mlflow.MlflowService."


def _pairs(entries, validate_value):
    out = {}
    for entry in entries or ():
        key = validate_key(entry.get("key"), "tag name")
        out[key] = validate_value(key, entry.get("value", ""))
    return out


def _version(body):
    return validate_model_version(require(body, "version"))


def _name(body, field="name"):
    return validate_model_name(require(body, field))


class RegistryHandlers:
    def __init__(self, ctx):
        self.ctx = ctx
        self.access = ArtifactAccess(ctx.config)

    @property
    def registry(self):
        # Opened before, not inside, the registry's factory: ctx.shared() holds a non-reentrant lock.
        tracking = self.ctx.tracking_store

        def open_store():
            from runtime.store.factory import get_model_registry_store

            return get_model_registry_store(self.ctx.registry_store_uri, tracking_store=tracking)

        return self.ctx.shared("registry_store", open_store)

    @property
    def tracking(self):
        return self.ctx.tracking_store

    # ---- registered models -------------------------------------------
    def create_registered_model(self, body, request):
        model = self.registry.create_registered_model(
            _name(body), tags=_pairs(body.get("tags"), validate_registry_tag), description=body.get("description"),
        )
        return {"registered_model": model.to_dict()}

    def get_registered_model(self, body, request):
        return {"registered_model": self.registry.get_registered_model(_name(body)).to_dict()}

    def update_registered_model(self, body, request):
        return {"registered_model": self.registry.update_registered_model(_name(body), body.get("description")).to_dict()}

    def rename_registered_model(self, body, request):
        model = self.registry.rename_registered_model(_name(body), _name(body, "new_name"))
        return {"registered_model": model.to_dict()}

    def delete_registered_model(self, body, request):
        self.registry.delete_registered_model(_name(body))

    def search_registered_models(self, body, request):
        page = self.registry.search_registered_models(
            filter_string=body.get("filter") or None, max_results=body.get("max_results"),
            order_by=body.get("order_by") or None, page_token=body.get("page_token") or None,
        )
        return paged("registered_models", [m.to_dict() for m in page], page.token)

    def get_latest_versions(self, body, request):
        versions = self.registry.get_latest_versions(_name(body), body.get("stages") or None)
        return paged("model_versions", [v.to_dict() for v in versions], None)

    def set_registered_model_tag(self, body, request):
        key = validate_key(require(body, "key"), "tag name")
        self.registry.set_registered_model_tag(_name(body), key, validate_registry_tag(key, body.get("value", "")))

    def delete_registered_model_tag(self, body, request):
        self.registry.delete_registered_model_tag(_name(body), validate_key(require(body, "key"), "tag name"))

    # ---- aliases -------------------------------------------------------
    def set_registered_model_alias(self, body, request):
        alias = validate_model_alias(require(body, "alias"), for_write=True)
        self.registry.set_registered_model_alias(_name(body), alias, _version(body))

    def delete_registered_model_alias(self, body, request):
        self.registry.delete_registered_model_alias(_name(body), validate_model_alias(require(body, "alias")))

    def get_model_version_by_alias(self, body, request):
        alias = validate_model_alias(require(body, "alias"))
        return {"model_version": self.registry.get_model_version_by_alias(_name(body), alias).to_dict()}

    # ---- model versions ------------------------------------------------
    def _check_source(self, source, run_id):
        """Refuse sources the server must not read: local paths outside its artifact roots."""
        if not isinstance(source, str) or "\x00" in source:
            raise InvalidParameter("Invalid model version source: it contains a NUL character")
        from runtime.artifacts.repository import artifact_scheme

        scheme = artifact_scheme(source)
        if scheme == "models":
            from runtime.store.model_registry_resolve import parse_models_source

            parsed = parse_models_source(source)
            if "name" in parsed:
                validate_model_name(parsed["name"])
            return
        if scheme == "runs":
            from runtime.artifacts.repository import parse_runs_uri

            parse_runs_uri(source)
            return
        try:
            self.access.check_location(source, what="source")
        except InvalidParameter:
            raise InvalidParameter(
                f"Invalid model version source: '{source}'. A local source must be inside the server's artifact "
                "root (for a run's model: the run's artifact directory); remote sources may not contain '..'."
            ) from None

    def create_model_version(self, body, request):
        name = _name(body)
        source = require(body, "source")
        run_id = body.get("run_id") or None
        if run_id:
            validate_run_id(run_id)
        model_id = body.get("model_id") or None
        if model_id:
            validate_logged_model_id(model_id)
        _check_source_pattern(source)
        self._check_source(source, run_id)
        tags = _pairs(body.get("tags"), validate_registry_tag)
        version = self.registry.create_model_version(
            name, source, run_id=run_id, tags=tags,
            run_link=body.get("run_link", ""), description=body.get("description", ""), model_id=model_id,
        )
        if model_id and str((tags or {}).get(PROMPT_TAG, "")).lower() != "true":
            self._record_model_version_on_logged_model(model_id, name, version.version)
        return {"model_version": version.to_dict()}

    def _record_model_version_on_logged_model(self, model_id, name, version):
        """Add {name, version} to the logged model's mlflow.modelVersions tag (a JSON list), as MLflow does."""
        import json

        entry = {"name": name, "version": str(version)}
        model = self.tracking.get_logged_model(model_id)
        try:
            versions = json.loads(model.tags.get(MODEL_VERSIONS_TAG) or "[]")
        except ValueError:
            versions = []
        if entry not in versions:
            versions.append(entry)
        self.tracking.set_logged_model_tags(model_id, {MODEL_VERSIONS_TAG: json.dumps(versions)})

    def get_model_version(self, body, request):
        return {"model_version": self.registry.get_model_version(_name(body), _version(body)).to_dict()}

    def update_model_version(self, body, request):
        version = self.registry.update_model_version(_name(body), _version(body), body.get("description"))
        return {"model_version": version.to_dict()}

    def transition_model_version_stage(self, body, request):
        version = self.registry.transition_model_version_stage(
            _name(body), _version(body), require(body, "stage"), bool(body.get("archive_existing_versions", False)),
        )
        return {"model_version": version.to_dict()}

    def delete_model_version(self, body, request):
        self.registry.delete_model_version(_name(body), _version(body))

    def get_model_version_download_uri(self, body, request):
        return {"artifact_uri": self.registry.get_model_version_download_uri(_name(body), _version(body))}

    def search_model_versions(self, body, request):
        page = self.registry.search_model_versions(
            filter_string=body.get("filter") or None, max_results=body.get("max_results"),
            order_by=body.get("order_by") or None, page_token=body.get("page_token") or None,
        )
        return paged("model_versions", [v.to_dict() for v in page], page.token)

    def set_model_version_tag(self, body, request):
        key = validate_key(require(body, "key"), "tag name")
        self.registry.set_model_version_tag(_name(body), _version(body), key,
                                            validate_registry_tag(key, body.get("value", "")))

    def delete_model_version_tag(self, body, request):
        self.registry.delete_model_version_tag(_name(body), _version(body),
                                               validate_key(require(body, "key"), "tag name"))

    # ---- logged models -------------------------------------------------
    def _model_id(self, body):
        return validate_logged_model_id(require(body, "model_id"))

    def create_logged_model(self, body, request):
        experiment_id = validate_experiment_id(require(body, "experiment_id"))
        source_run_id = body.get("source_run_id") or None
        if source_run_id:
            validate_run_id(source_run_id)
        model = self.tracking.create_logged_model(
            experiment_id, name=body.get("name") or None, source_run_id=source_run_id,
            tags=_pairs(body.get("tags"), validate_tag), params=_pairs(body.get("params"), validate_param),
            model_type=body.get("model_type") or None,
        )
        return {"model": model.to_dict()}

    def get_logged_model(self, body, request):
        return {"model": self.tracking.get_logged_model(self._model_id(body)).to_dict()}

    def finalize_logged_model(self, body, request):
        status = LoggedModelStatus.parse(require(body, "status"))
        return {"model": self.tracking.finalize_logged_model(self._model_id(body), status).to_dict()}

    def delete_logged_model(self, body, request):
        self.tracking.delete_logged_model(self._model_id(body))

    def set_logged_model_tags(self, body, request):
        self.tracking.set_logged_model_tags(self._model_id(body), _pairs(body.get("tags"), validate_tag))

    def delete_logged_model_tag(self, body, request):
        self.tracking.delete_logged_model_tag(self._model_id(body), validate_key(require(body, "tag_key"), "tag name"))

    def log_logged_model_params(self, body, request):
        self.tracking.log_logged_model_params(self._model_id(body), _pairs(body.get("params"), validate_param))

    def search_logged_models(self, body, request):
        experiment_ids = body.get("experiment_ids")
        if not experiment_ids:
            missing_parameter("experiment_ids")
        page = self.tracking.search_logged_models(
            [validate_experiment_id(e) for e in experiment_ids], filter_string=body.get("filter") or None,
            datasets=body.get("datasets") or None, max_results=body.get("max_results"),
            order_by=body.get("order_by") or None, page_token=body.get("page_token") or None,
        )
        return paged("models", [m.to_dict() for m in page], page.token)

    def list_logged_model_artifacts(self, body, request):
        model = self.tracking.get_logged_model(self._model_id(body))
        path = validate_artifact_path(body.get("artifact_directory_path") or "")
        repository = self.access.repository_for(model.artifact_location)
        files = []
        for info in repository.list_artifacts(path or None):
            entry = {"path": info.path, "is_dir": info.is_dir}
            if not info.is_dir and info.file_size is not None:
                entry["file_size"] = info.file_size
            files.append(entry)
        out = {"root_uri": model.artifact_location}
        if files:
            out["files"] = files
        return out

    # ---- file downloads for the UI ---------------------------------------
    def logged_model_file_root(self, request):
        model_id = validate_logged_model_id(request.path_params.get("model_id", ""))
        path = request.query_params.get("artifact_file_path")
        return self.tracking.get_logged_model(model_id).artifact_location, path

    def model_version_file_root(self, request):
        params = request.query_params
        name = validate_model_name(params.get("name") or missing_parameter("name"))
        version = validate_model_version(params.get("version") or missing_parameter("version"))
        return self.registry.get_model_version_download_uri(name, version), params.get("path")


def _check_source_pattern(source):
    """MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX, when set, must match somewhere in the source."""
    import os
    import re

    pattern = os.environ.get(SOURCE_PATTERN_ENV)
    if pattern and not re.search(pattern, source):
        raise InvalidParameter(f"Invalid model version source: '{source}'.")


def _file_download(handlers, locate):
    """A GET endpoint streaming one artifact file below the root locate(request) names."""
    from starlette.concurrency import run_in_threadpool

    from runtime.server.artifact_files import send_artifact

    async def serve(request):
        try:
            root, raw_path = await run_in_threadpool(locate, request)
            path = validate_artifact_path(raw_path or "", allow_empty=False)
            return await send_artifact(handlers.access.repository_for(root), path)
        except MlfError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - answer in MLflow's error format
            return internal_error_response(exc)

    return serve


REGISTRY_RPCS = {
    "createRegisteredModel": "create_registered_model",
    "getRegisteredModel": "get_registered_model",
    "updateRegisteredModel": "update_registered_model",
    "renameRegisteredModel": "rename_registered_model",
    "deleteRegisteredModel": "delete_registered_model",
    "searchRegisteredModels": "search_registered_models",
    "getLatestVersions": "get_latest_versions",
    "setRegisteredModelTag": "set_registered_model_tag",
    "deleteRegisteredModelTag": "delete_registered_model_tag",
    "setRegisteredModelAlias": "set_registered_model_alias",
    "deleteRegisteredModelAlias": "delete_registered_model_alias",
    "getModelVersionByAlias": "get_model_version_by_alias",
    "createModelVersion": "create_model_version",
    "getModelVersion": "get_model_version",
    "updateModelVersion": "update_model_version",
    "transitionModelVersionStage": "transition_model_version_stage",
    "deleteModelVersion": "delete_model_version",
    "getModelVersionDownloadUri": "get_model_version_download_uri",
    "searchModelVersions": "search_model_versions",
    "setModelVersionTag": "set_model_version_tag",
    "deleteModelVersionTag": "delete_model_version_tag",
}

LOGGED_MODEL_RPCS = {
    "createLoggedModel": "create_logged_model",
    "getLoggedModel": "get_logged_model",
    "finalizeLoggedModel": "finalize_logged_model",
    "deleteLoggedModel": "delete_logged_model",
    "setLoggedModelTags": "set_logged_model_tags",
    "deleteLoggedModelTag": "delete_logged_model_tag",
    "LogLoggedModelParams": "log_logged_model_params",
    "searchLoggedModels": "search_logged_models",
    "listLoggedModelArtifacts": "list_logged_model_artifacts",
}


def routes(ctx):
    from starlette.routing import Route

    handlers = RegistryHandlers(ctx)
    out = rpc_table_routes(REGISTRY, REGISTRY_RPCS, handlers) + rpc_table_routes(TRACKING, LOGGED_MODEL_RPCS, handlers)
    out.append(Route("/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files",
                     _file_download(handlers, handlers.logged_model_file_root), methods=["GET"]))
    out.append(Route("/model-versions/get-artifact",
                     _file_download(handlers, handlers.model_version_file_root), methods=["GET"]))
    return out
