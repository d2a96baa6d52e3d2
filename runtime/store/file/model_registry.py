"""The model registry in files, in MLflow's file-registry layout.

    <root>/models/<name>/meta.yaml                 name, creation_timestamp, last_updated_timestamp,
                                                   description, aliases (mirror), ...
                        /tags/<key>                tag value
                        /aliases/<alias>           version number
                        /version-<n>/meta.yaml     name, version, current_stage, source,
                                                   storage_location, run_id, model_id, ...
                        /version-<n>/tags/<key>    tag value

A model or version exists when its meta.yaml does. New names and version numbers
are claimed with an exclusive mkdir, so concurrent writers never share one.
"""

import os
import shutil

from runtime.errors import AlreadyExists
from runtime.fsutil import contained_path
from runtime.registry_entities import ModelVersion, ModelVersionStage, ModelVersionStatus, RegisteredModel
from runtime.search.paging import paginate
from runtime.store.file import meta_yaml
from runtime.store import registry_search as search
from runtime.store.file.layout import filling_new_folder, read_key_value_files, write_atomic
from runtime.store.contract.model_registry import (
    ModelRegistryStore,
    alias_not_found,
    latest_versions,
    model_version_not_found,
    now_ms,
    registered_model_not_found,
)
from runtime.validation import (
    validate_model_name,
    validate_model_version,
)

MODELS_FOLDER = "models"
META_FILE = "meta.yaml"
TAGS_FOLDER = "tags"
ALIASES_FOLDER = "aliases"
VERSION_PREFIX = "version-"
WORKSPACE = "default"  # MLflow 3 writes it; we have one workspace


class FileModelRegistryStore(ModelRegistryStore):
    def __init__(self, root_directory):
        self.root_directory = os.path.abspath(root_directory)
        self.models_directory = os.path.join(self.root_directory, MODELS_FOLDER)

    # ---- paths ----------------------------------------------------------
    def _model_dir(self, name):
        return os.path.join(self.models_directory, validate_model_name(name))

    def _existing_model_dir(self, name):
        folder = self._model_dir(name)
        if not os.path.isfile(os.path.join(folder, META_FILE)):
            raise registered_model_not_found(name)
        return folder

    def _version_dir(self, name, version):
        return os.path.join(self._existing_model_dir(name), VERSION_PREFIX + validate_model_version(version))

    # ---- meta files -----------------------------------------------------
    @staticmethod
    def _load(folder):
        return meta_yaml.load_file(os.path.join(folder, META_FILE)) or {}

    @staticmethod
    def _save(folder, meta):
        write_atomic(os.path.join(folder, META_FILE), meta_yaml.dumps(meta))

    def _save_model_meta(self, folder, model):
        self._save(folder, {
            "name": model.name,
            "creation_timestamp": model.creation_timestamp,
            "last_updated_timestamp": model.last_updated_timestamp,
            "description": model.description,
            "aliases": dict(model.aliases),
            "deployment_job_id": None,
            "deployment_job_state": None,
            "workspace": WORKSPACE,
        })

    def _save_version_meta(self, folder, version):
        self._save(folder, {
            "name": version.name,
            "version": int(version.version),
            "creation_timestamp": version.creation_timestamp,
            "last_updated_timestamp": version.last_updated_timestamp,
            "user_id": version.user_id,
            "current_stage": version.current_stage,
            "description": version.description,
            "source": version.source,
            "storage_location": version.storage_location,
            "run_id": version.run_id,
            "run_link": version.run_link,
            "status": version.status,
            "status_message": version.status_message,
            "model_id": version.model_id,
            "deployment_job_state": None,
            "workspace": WORKSPACE,
        })

    def _read_aliases(self, model_dir):
        return {alias: text.strip() for alias, text in sorted(read_key_value_files(os.path.join(model_dir, ALIASES_FOLDER)).items())}

    def _read_version(self, folder, aliases):
        meta = self._load(folder)
        number = str(meta.get("version") or os.path.basename(folder)[len(VERSION_PREFIX):])
        return ModelVersion(
            name=meta.get("name"),
            version=number,
            creation_timestamp=meta.get("creation_timestamp"),
            last_updated_timestamp=meta.get("last_updated_timestamp"),
            user_id=meta.get("user_id"),
            current_stage=meta.get("current_stage") or ModelVersionStage.NONE,
            description=meta.get("description"),
            source=meta.get("source"),
            run_id=meta.get("run_id"),
            status=meta.get("status") or ModelVersionStatus.READY,
            status_message=meta.get("status_message"),
            tags=read_key_value_files(os.path.join(folder, TAGS_FOLDER)),
            run_link=meta.get("run_link"),
            aliases=sorted(a for a, v in aliases.items() if v == number),
            model_id=meta.get("model_id"),
            storage_location=meta.get("storage_location"),
        )

    def _all_versions(self, model_dir, include_deleted=False):
        aliases = self._read_aliases(model_dir)
        versions = []
        for entry in os.listdir(model_dir):
            folder = os.path.join(model_dir, entry)
            if entry.startswith(VERSION_PREFIX) and os.path.isfile(os.path.join(folder, META_FILE)):
                version = self._read_version(folder, aliases)
                if include_deleted or version.current_stage != ModelVersionStage.DELETED_INTERNAL:
                    versions.append(version)
        return sorted(versions, key=lambda v: int(v.version))

    def _read_model(self, model_dir):
        meta = self._load(model_dir)
        aliases = self._read_aliases(model_dir)
        return RegisteredModel(
            name=meta.get("name") or os.path.basename(model_dir),
            creation_timestamp=meta.get("creation_timestamp"),
            last_updated_timestamp=meta.get("last_updated_timestamp"),
            user_id=meta.get("user_id"),
            description=meta.get("description"),
            latest_versions=latest_versions(self._all_versions(model_dir)),
            tags=read_key_value_files(os.path.join(model_dir, TAGS_FOLDER)),
            aliases=aliases,
        )

    def _touch_model(self, model_dir, timestamp=None):
        meta = self._load(model_dir)
        meta["last_updated_timestamp"] = timestamp or now_ms()
        meta["aliases"] = self._read_aliases(model_dir)
        self._save(model_dir, meta)

    def _live_version(self, name, version):
        folder = self._version_dir(name, version)
        if not os.path.isfile(os.path.join(folder, META_FILE)):
            raise model_version_not_found(name, version)
        found = self._read_version(folder, self._read_aliases(os.path.dirname(folder)))
        if found.current_stage == ModelVersionStage.DELETED_INTERNAL:
            raise model_version_not_found(name, version)
        return folder, found

    # ---- registered models ------------------------------------------------
    def _create_registered_model(self, name, tags, description, user_id):
        folder = self._model_dir(name)
        os.makedirs(self.models_directory, exist_ok=True)
        try:
            os.mkdir(folder)
        except FileExistsError:
            raise AlreadyExists(f"Registered Model (name={name}) already exists.") from None
        now = now_ms()
        model = RegisteredModel(name=name, creation_timestamp=now, last_updated_timestamp=now,
                                user_id=user_id, description=description, tags=tags)
        with filling_new_folder(folder):
            for key, value in tags.items():
                write_atomic(contained_path(os.path.join(folder, TAGS_FOLDER), key), value)
            self._save_model_meta(folder, model)
        return self._read_model(folder)

    def get_registered_model(self, name):
        return self._read_model(self._existing_model_dir(name))

    def _update_registered_model(self, name, description):
        folder = self._existing_model_dir(name)
        meta = self._load(folder)
        meta["description"] = description
        meta["last_updated_timestamp"] = now_ms()
        self._save(folder, meta)
        return self._read_model(folder)

    def rename_registered_model(self, name, new_name):
        old_dir = self._existing_model_dir(name)
        new_dir = self._model_dir(new_name)
        if new_name == name:
            return self._read_model(old_dir)
        try:
            os.mkdir(new_dir)  # claims the new name; rename() then replaces the empty folder
        except FileExistsError:
            raise AlreadyExists(f"Registered Model (name={new_name}) already exists.") from None
        os.rename(old_dir, new_dir)
        now = now_ms()
        meta = self._load(new_dir)
        meta.update(name=new_name, last_updated_timestamp=now)
        self._save(new_dir, meta)
        for version in self._all_versions(new_dir, include_deleted=True):
            version.name = new_name
            version.last_updated_timestamp = now
            self._save_version_meta(os.path.join(new_dir, VERSION_PREFIX + version.version), version)
        return self._read_model(new_dir)

    def delete_registered_model(self, name):
        shutil.rmtree(self._existing_model_dir(name))

    def _all_models(self):
        if not os.path.isdir(self.models_directory):
            return []
        models = []
        for entry in sorted(os.listdir(self.models_directory)):
            folder = os.path.join(self.models_directory, entry)
            if os.path.isfile(os.path.join(folder, META_FILE)):
                models.append(self._read_model(folder))
        return models

    def search_registered_models(self, filter_string=None, max_results=None, order_by=None, page_token=None):
        max_results = self._registered_model_max_results(max_results)
        comparisons = search.parse_registered_model_filter(filter_string)
        order = search.registered_model_order(order_by)
        matches = [m for m in self._all_models() if search.registered_model_matches(m, comparisons)]
        return paginate(search.sort_registered_models(matches, order), max_results, page_token)

    def get_latest_versions(self, name, stages=None):
        return latest_versions(self._all_versions(self._existing_model_dir(name)), stages)

    def _set_registered_model_tag(self, name, key, value):
        folder = self._existing_model_dir(name)
        write_atomic(contained_path(os.path.join(folder, TAGS_FOLDER), key), value)
        self._touch_model(folder)

    def _delete_registered_model_tag(self, name, key):
        folder = self._existing_model_dir(name)
        path = contained_path(os.path.join(folder, TAGS_FOLDER), key)
        if os.path.isfile(path):
            os.remove(path)
            self._touch_model(folder)

    # ---- aliases ----------------------------------------------------------
    def _set_registered_model_alias(self, name, alias, version):
        folder, found = self._live_version(name, version)
        model_dir = os.path.dirname(folder)
        write_atomic(contained_path(os.path.join(model_dir, ALIASES_FOLDER), alias), found.version)
        self._touch_model(model_dir)

    def _delete_registered_model_alias(self, name, alias):
        model_dir = self._existing_model_dir(name)
        path = contained_path(os.path.join(model_dir, ALIASES_FOLDER), alias)
        if os.path.isfile(path):
            os.remove(path)
            self._touch_model(model_dir)

    def _get_model_version_by_alias(self, name, alias):
        model_dir = self._existing_model_dir(name)
        version = self._read_aliases(model_dir).get(alias)
        if version is None:
            raise alias_not_found(alias)
        return self.get_model_version(name, version)

    # ---- model versions ---------------------------------------------------
    def _create_model_version(self, name, source, run_id, tags, run_link, description, model_id, user_id):
        model_dir = self._existing_model_dir(name)
        storage_location, run_id = self._resolve_source(source, run_id, model_id)
        number = 1 + max((int(v.version) for v in self._all_versions(model_dir, include_deleted=True)), default=0)
        while True:
            folder = os.path.join(model_dir, f"{VERSION_PREFIX}{number}")
            try:
                os.mkdir(folder)
                break
            except FileExistsError:
                number += 1  # another writer took this number
        now = now_ms()
        version = ModelVersion(
            name=name, version=str(number), creation_timestamp=now, last_updated_timestamp=now,
            user_id=user_id, current_stage=ModelVersionStage.NONE, description=description, source=source,
            run_id=run_id, status=ModelVersionStatus.READY, run_link=run_link, model_id=model_id,
            storage_location=storage_location,
        )
        with filling_new_folder(folder):
            for key, value in tags.items():
                write_atomic(contained_path(os.path.join(folder, TAGS_FOLDER), key), value)
            self._save_version_meta(folder, version)
        self._touch_model(model_dir, now)
        return self.get_model_version(name, number)

    def get_model_version(self, name, version):
        return self._live_version(name, version)[1]

    def _update_model_version(self, name, version, description):
        folder, found = self._live_version(name, version)
        found.description = description
        found.last_updated_timestamp = now_ms()
        self._save_version_meta(folder, found)
        return self.get_model_version(name, version)

    def _transition_model_version_stage(self, name, version, stage, archive_existing_versions):
        folder, found = self._live_version(name, version)
        model_dir = os.path.dirname(folder)
        now = now_ms()
        if archive_existing_versions:
            for other in self._all_versions(model_dir):
                if other.version != found.version and other.current_stage == stage:
                    other.current_stage = ModelVersionStage.ARCHIVED
                    other.last_updated_timestamp = now
                    self._save_version_meta(os.path.join(model_dir, VERSION_PREFIX + other.version), other)
        found.current_stage = stage
        found.last_updated_timestamp = now
        self._save_version_meta(folder, found)
        self._touch_model(model_dir, now)
        return self.get_model_version(name, version)

    def delete_model_version(self, name, version):
        folder, found = self._live_version(name, version)
        model_dir = os.path.dirname(folder)
        found.current_stage = ModelVersionStage.DELETED_INTERNAL
        found.last_updated_timestamp = now_ms()
        self._save_version_meta(folder, found)
        for alias in found.aliases:
            path = contained_path(os.path.join(model_dir, ALIASES_FOLDER), alias)
            if os.path.isfile(path):
                os.remove(path)
        self._touch_model(model_dir, found.last_updated_timestamp)

    def search_model_versions(self, filter_string=None, max_results=None, order_by=None, page_token=None):
        max_results = self._model_version_max_results(max_results)
        comparisons = search.parse_model_version_filter(filter_string)
        order = search.model_version_order(order_by)
        versions = []
        if os.path.isdir(self.models_directory):
            for entry in sorted(os.listdir(self.models_directory)):
                model_dir = os.path.join(self.models_directory, entry)
                if os.path.isfile(os.path.join(model_dir, META_FILE)):
                    versions += [v for v in self._all_versions(model_dir) if search.model_version_matches(v, comparisons)]
        return paginate(search.sort_model_versions(versions, order), max_results, page_token)

    def _set_model_version_tag(self, name, version, key, value):
        folder, _found = self._live_version(name, version)
        write_atomic(contained_path(os.path.join(folder, TAGS_FOLDER), key), value)
        self._touch_model(os.path.dirname(folder))

    def _delete_model_version_tag(self, name, version, key):
        folder, _found = self._live_version(name, version)
        path = contained_path(os.path.join(folder, TAGS_FOLDER), key)
        if os.path.isfile(path):
            os.remove(path)
            self._touch_model(os.path.dirname(folder))

    # ---- logged models next to the registry -------------------------------
    def _own_logged_model(self, model_id):
        from runtime.store.file.logged_models import LoggedModelFiles

        return LoggedModelFiles(self.root_directory).get(model_id)
