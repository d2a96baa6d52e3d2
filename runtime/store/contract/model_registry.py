"""The model registry contract (file, SQL, REST) and the logged-model part of tracking stores.

Stores speak in runtime.registry_entities and raise runtime.errors types; the
contract suite in tests/store_contract runs the same tests against every backend.
Semantics every registry store shares (MLflow's):
- registered model names are unique -> AlreadyExists; missing names -> NotFound;
- versions are numbered 1, 2, ... per model and never reused: a deleted version
  keeps its record in the internal stage Deleted_Internal and is invisible;
- a models:/ source is resolved when the version is created: the download URI is
  the logged model's (or the other version's) storage location, and run_id
  defaults to the logged model's source run;
- an alias points at one live version; deleting the version drops its aliases;
  an unknown alias -> InvalidParameter (as MLflow answers);
- every change to a model, its versions, tags or aliases bumps the model's
  last_updated_timestamp.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

import time

from runtime.errors import InvalidParameter, NotFound
from runtime.registry_entities import ModelVersionStage
from runtime.store import registry_search as search
from runtime.store.registry_search import (
    LOGGED_MODEL_MAX_RESULTS_DEFAULT,
    MODEL_VERSION_MAX_RESULTS_DEFAULT,
    MODEL_VERSION_MAX_RESULTS_THRESHOLD,
    REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
    REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
)
from runtime.validation import (
    validate_experiment_id,
    validate_key,
    validate_logged_model_id,
    validate_logged_model_name,
    validate_max_results,
    validate_model_alias,
    validate_model_description,
    validate_model_name,
    validate_param,
    validate_registry_tag,
    validate_run_id,
    validate_tag,
)


def now_ms():
    return int(time.time() * 1000)


def registered_model_not_found(name):
    return NotFound(f"Registered Model with name={name} not found")


def model_version_not_found(name, version):
    return NotFound(f"Model Version (name={name}, version={version}) not found")


def logged_model_not_found(model_id):
    return NotFound(f"Logged model with ID '{model_id}' not found.")


def alias_not_found(alias):
    return InvalidParameter(f"Registered model alias {alias} not found.")


def check_archive_request(stage, archive_existing_versions):
    """Canonical stage name; archiving others only makes sense for Staging/Production."""
    canonical = ModelVersionStage.canonical(stage)
    if archive_existing_versions and canonical not in ModelVersionStage.ACTIVE:
        raise InvalidParameter(
            "Model version transition cannot archive existing model versions because "
            f"'{stage}' is not an Active stage. Valid stages are {list(ModelVersionStage.ACTIVE)}"
        )
    return canonical


def latest_versions(versions, stages=None):
    """The newest live version in each requested stage (all stages when none are given)."""
    wanted = {ModelVersionStage.canonical(s) for s in stages} if stages else set(ModelVersionStage.ALL)
    newest = {}
    for version in versions:
        stage = version.current_stage
        if stage in wanted and (stage not in newest or int(newest[stage].version) < int(version.version)):
            newest[stage] = version
    return sorted(newest.values(), key=lambda v: int(v.version))


def clean_model_tags(tags):
    """Logged-model tags as {key: text}, each validated (None becomes '')."""
    return {validate_key(k, "tag name"): validate_tag(k, "" if v is None else str(v)) for k, v in (tags or {}).items()}


def clean_model_params(params):
    """Logged-model params as {key: text}, each validated (None becomes '')."""
    return {k: validate_param(k, "" if v is None else str(v)) for k, v in (params or {}).items()}


def clean_registry_tags(tags):
    """Registered-model or model-version tags as {key: text}, each validated."""
    return {validate_key(k, "tag name"): validate_registry_tag(k, v) for k, v in (tags or {}).items()}


def check_search_max_results(max_results, default, threshold):
    if max_results is None:
        return default
    if isinstance(max_results, bool):
        raise InvalidParameter(f"Invalid value {max_results!r} for max_results: expected an integer")
    return validate_max_results(max_results, threshold)


class ModelRegistryStore(ABC):
    """The model registry. Every backend implements each abstract method; a test checks it.

    tracking_store: optional TrackingStore used to look up logged models for
    models:/<model_id> sources; without it each backend looks in its own storage.
    """

    tracking_store = None

    # ---- registered models -------------------------------------------
    # Public methods that take tags, descriptions, aliases or a stage check them here, once for
    # every backend; the backend implements the _method and receives clean values.
    def create_registered_model(self, name, tags=None, description=None, user_id=None):
        """tags: dict. Returns the RegisteredModel."""
        return self._create_registered_model(validate_model_name(name), clean_registry_tags(tags),
                                             validate_model_description(description), user_id)

    @abstractmethod
    def get_registered_model(self, name):
        ...

    def update_registered_model(self, name, description):
        return self._update_registered_model(name, validate_model_description(description))

    @abstractmethod
    def rename_registered_model(self, name, new_name):
        """Rename a model with all its versions, tags and aliases; returns the renamed model."""

    @abstractmethod
    def delete_registered_model(self, name):
        ...

    @abstractmethod
    def search_registered_models(self, filter_string=None, max_results=REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
                                 order_by=None, page_token=None):
        """PagedList of RegisteredModel; max_results 1..1000; default order name ASC."""

    @abstractmethod
    def get_latest_versions(self, name, stages=None):
        """Newest live version per stage (all stages when stages is empty)."""

    def set_registered_model_tag(self, name, key, value):
        value = validate_registry_tag(validate_key(key, "tag name"), value)
        return self._set_registered_model_tag(name, key, value)

    def delete_registered_model_tag(self, name, key):
        """Deleting a tag the model does not have is not an error (MLflow's behaviour)."""
        return self._delete_registered_model_tag(name, validate_key(key, "tag name"))

    # ---- aliases ---------------------------------------------------
    def set_registered_model_alias(self, name, alias, version):
        validate_model_alias(alias, for_write=True)
        return self._set_registered_model_alias(name, alias, version)

    def delete_registered_model_alias(self, name, alias):
        validate_model_alias(alias)
        return self._delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name, alias):
        validate_model_alias(alias)
        return self._get_model_version_by_alias(name, alias)

    # ---- model versions --------------------------------------------
    def create_model_version(self, name, source, run_id=None, tags=None, run_link=None, description=None,
                             model_id=None, user_id=None):
        """A new READY version in stage None; returns the ModelVersion."""
        validate_model_name(name)
        if not source:
            raise InvalidParameter("Missing value for required parameter 'source'.")
        return self._create_model_version(name, source, run_id, clean_registry_tags(tags), run_link,
                                          validate_model_description(description), model_id, user_id)

    @abstractmethod
    def get_model_version(self, name, version):
        ...

    def update_model_version(self, name, version, description):
        return self._update_model_version(name, version, validate_model_description(description))

    def transition_model_version_stage(self, name, version, stage, archive_existing_versions=False):
        stage = check_archive_request(stage, archive_existing_versions)
        return self._transition_model_version_stage(name, version, stage, bool(archive_existing_versions))

    @abstractmethod
    def delete_model_version(self, name, version):
        ...

    def get_model_version_download_uri(self, name, version):
        """Where the version's artifacts are (the resolved location of a models:/ source)."""
        found = self.get_model_version(name, version)
        return found.storage_location or found.source

    @abstractmethod
    def search_model_versions(self, filter_string=None, max_results=MODEL_VERSION_MAX_RESULTS_DEFAULT,
                              order_by=None, page_token=None):
        """PagedList of ModelVersion; default order last_updated_timestamp DESC, name ASC, version DESC."""

    def set_model_version_tag(self, name, version, key, value):
        value = validate_registry_tag(validate_key(key, "tag name"), value)
        return self._set_model_version_tag(name, version, key, value)

    def delete_model_version_tag(self, name, version, key):
        return self._delete_model_version_tag(name, version, validate_key(key, "tag name"))

    # ---- what each backend implements behind the checks above ------------------------
    @abstractmethod
    def _create_registered_model(self, name, tags, description, user_id):
        ...

    @abstractmethod
    def _update_registered_model(self, name, description):
        ...

    @abstractmethod
    def _set_registered_model_tag(self, name, key, value):
        ...

    @abstractmethod
    def _delete_registered_model_tag(self, name, key):
        ...

    @abstractmethod
    def _set_registered_model_alias(self, name, alias, version):
        ...

    @abstractmethod
    def _delete_registered_model_alias(self, name, alias):
        ...

    @abstractmethod
    def _get_model_version_by_alias(self, name, alias):
        ...

    @abstractmethod
    def _create_model_version(self, name, source, run_id, tags, run_link, description, model_id, user_id):
        ...

    @abstractmethod
    def _update_model_version(self, name, version, description):
        ...

    @abstractmethod
    def _transition_model_version_stage(self, name, version, stage, archive_existing_versions):
        ...

    @abstractmethod
    def _set_model_version_tag(self, name, version, key, value):
        ...

    @abstractmethod
    def _delete_model_version_tag(self, name, version, key):
        ...

    def close(self):
        """Release connections and file handles."""

    # ---- shared helpers ----------------------------------------------
    def _lookup_logged_model(self, model_id):
        """The LoggedModel for model_id, from the attached tracking store or our own storage."""
        if self.tracking_store is not None and hasattr(self.tracking_store, "get_logged_model"):
            return self.tracking_store.get_logged_model(model_id)
        return self._own_logged_model(model_id)

    def _own_logged_model(self, model_id):
        raise logged_model_not_found(model_id)

    def _resolve_source(self, source, run_id, model_id):
        """(storage_location, run_id) for a new version: models:/ sources point at real artifacts."""
        storage_location = None
        if isinstance(source, str) and source.startswith("models:"):
            from runtime.store.model_registry_resolve import download_uri, parse_models_source

            parsed = parse_models_source(source)
            if "model_id" in parsed:
                model = self._lookup_logged_model(parsed["model_id"])
                storage_location = model.artifact_location
                run_id = run_id or model.source_run_id
            else:
                storage_location = download_uri(self, parsed)
        if not run_id and model_id:
            run_id = self._lookup_logged_model(model_id).source_run_id
        return storage_location, run_id or None

    @staticmethod
    def _registered_model_max_results(max_results):
        return check_search_max_results(max_results, REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
                                        REGISTERED_MODEL_MAX_RESULTS_THRESHOLD)

    @staticmethod
    def _model_version_max_results(max_results):
        return check_search_max_results(max_results, MODEL_VERSION_MAX_RESULTS_DEFAULT,
                                        MODEL_VERSION_MAX_RESULTS_THRESHOLD)


@dataclass(frozen=True)
class LoggedModelQuery:
    """A logged-model search, checked once: the raw filter and order, and their parsed forms."""

    filter_string: object
    comparisons: list
    datasets: list
    max_results: int
    order_by: list
    order: list
    page_token: object


class LoggedModelStore(ABC):
    """The logged-model part of a tracking store (MLflow 3's LoggedModel API).

    Mixed into the file and SQL tracking stores (runtime.store.file.logged_models,
    runtime.store.sql.logged_models). Ids are "m-" + uuid4 hex; the artifact
    location is <experiment artifact_location>/models/<model_id>/artifacts.
    Deleted models are invisible to get/search but stay on record until gc
    removes them with hard_delete_logged_model.
    """

    # Public methods check their arguments here, once for every backend, then call the
    # backend's _method with clean values (ids validated, tags and params as {str: str}).
    def create_logged_model(self, experiment_id, name=None, source_run_id=None, tags=None, params=None,
                            model_type=None):
        """tags/params: dicts. The experiment must be active. Returns the LoggedModel (PENDING)."""
        experiment_id = validate_experiment_id(experiment_id)
        validate_logged_model_name(name)
        if source_run_id:
            validate_run_id(source_run_id)
        return self._create_logged_model(experiment_id, name, source_run_id or None, clean_model_tags(tags),
                                         clean_model_params(params), model_type)

    def get_logged_model(self, model_id, allow_deleted=False):
        return self._get_logged_model(validate_logged_model_id(model_id), allow_deleted)

    def finalize_logged_model(self, model_id, status):
        """Set the status (READY, FAILED, ...); returns the LoggedModel."""
        from runtime.registry_entities import LoggedModelStatus

        model_id = validate_logged_model_id(model_id)
        return self._finalize_logged_model(model_id, LoggedModelStatus.parse(status))

    def set_logged_model_tags(self, model_id, tags):
        """tags: dict of key -> value (None becomes '')."""
        model_id = validate_logged_model_id(model_id)
        self._set_logged_model_tags(model_id, clean_model_tags(tags))

    def delete_logged_model_tag(self, model_id, key):
        """NotFound when the model has no such tag."""
        model_id = validate_logged_model_id(model_id)
        self._delete_logged_model_tag(model_id, validate_key(key, "tag name"))

    def log_logged_model_params(self, model_id, params):
        """params: dict. Re-logging a key with the same value is fine; another value -> InvalidParameter."""
        model_id = validate_logged_model_id(model_id)
        self._log_logged_model_params(model_id, clean_model_params(params))

    def delete_logged_model(self, model_id):
        self._delete_logged_model(validate_logged_model_id(model_id))

    @abstractmethod
    def _create_logged_model(self, experiment_id, name, source_run_id, tags, params, model_type):
        ...

    @abstractmethod
    def _get_logged_model(self, model_id, allow_deleted):
        ...

    @abstractmethod
    def _finalize_logged_model(self, model_id, status):
        ...

    @abstractmethod
    def _set_logged_model_tags(self, model_id, tags):
        ...

    @abstractmethod
    def _delete_logged_model_tag(self, model_id, key):
        ...

    @abstractmethod
    def _log_logged_model_params(self, model_id, params):
        ...

    @abstractmethod
    def _delete_logged_model(self, model_id):
        ...

    @abstractmethod
    def record_logged_model_metrics(self, run_id, metrics):
        """Attach run metrics that carry a model_id to their logged models (called from log_batch)."""

    def search_logged_models(self, experiment_ids, filter_string=None, datasets=None,
                             max_results=LOGGED_MODEL_MAX_RESULTS_DEFAULT, order_by=None, page_token=None):
        """PagedList of LoggedModel. order_by: [{"field_name", "ascending", "dataset_name", "dataset_digest"}]."""
        query = LoggedModelQuery(
            filter_string=filter_string,
            comparisons=search.parse_logged_model_filter(filter_string),
            datasets=search.check_dataset_filters(datasets),
            max_results=check_search_max_results(max_results, LOGGED_MODEL_MAX_RESULTS_DEFAULT,
                                                 search.LOGGED_MODEL_MAX_RESULTS_THRESHOLD),
            order_by=list(order_by or []),
            order=search.logged_model_order(order_by),
            page_token=page_token,
        )
        return self._search_logged_models(list(experiment_ids or []), query)

    @abstractmethod
    def _search_logged_models(self, experiment_ids, query):
        """query: a LoggedModelQuery, already checked (raw filter and order for servers, parsed for the rest)."""


    @abstractmethod
    def get_deleted_logged_models(self, older_than_ms=None):
        """Ids of deleted logged models whose deletion is at least older_than_ms old."""

    @abstractmethod
    def hard_delete_logged_model(self, model_id):
        """Remove a deleted model's metadata for good (artifacts are the caller's job)."""
