"""The model registry and logged model data model.

Field names follow MLflow's protobuf messages (mlflow.RegisteredModel,
mlflow.ModelVersion, mlflow.RegisteredModelAlias, mlflow.LoggedModel) so that
``to_dict`` gives the JSON the REST API sends and ``from_dict`` reads it back.
Empty repeated fields and unset optional fields are left out, as protobuf's
JSON printer does.
"""

from dataclasses import dataclass, field
from typing import Optional

from runtime.entities import LifecycleStage, Metric


class ModelVersionStatus:
    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"
    READY = "READY"
    ALL = (PENDING_REGISTRATION, FAILED_REGISTRATION, READY)


class ModelVersionStage:
    """The legacy registry stages; names are canonical, input is matched case-insensitively."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"
    # Deleted versions keep their row/folder so version numbers are never reused.
    DELETED_INTERNAL = "Deleted_Internal"
    ALL = (NONE, STAGING, PRODUCTION, ARCHIVED)
    ACTIVE = (STAGING, PRODUCTION)  # the stages archive_existing_versions applies to

    @classmethod
    def canonical(cls, stage):
        from runtime.errors import InvalidParameter

        for name in cls.ALL:
            if isinstance(stage, str) and stage.lower() == name.lower():
                return name
        raise InvalidParameter(
            f"Invalid Model Version stage: {stage}. Value must be one of {', '.join(cls.ALL)}."
        )


class LoggedModelStatus:
    """Status names as stores keep them, and the enum names the REST API sends."""

    UNSPECIFIED = "UNSPECIFIED"
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"
    ALL = (UNSPECIFIED, PENDING, READY, FAILED)

    _TO_PROTO = {
        UNSPECIFIED: "LOGGED_MODEL_STATUS_UNSPECIFIED",
        PENDING: "LOGGED_MODEL_PENDING",
        READY: "LOGGED_MODEL_READY",
        FAILED: "LOGGED_MODEL_UPLOAD_FAILED",
    }
    _FROM_PROTO = {v: k for k, v in _TO_PROTO.items()}
    _TO_INT = {UNSPECIFIED: 0, PENDING: 1, READY: 2, FAILED: 3}
    _FROM_INT = {v: k for k, v in _TO_INT.items()}

    @classmethod
    def to_proto(cls, status):
        return cls._TO_PROTO[status]

    @classmethod
    def parse(cls, value):
        """Accept 'READY', 'LOGGED_MODEL_READY' or the enum number 2."""
        from runtime.errors import InvalidParameter

        if isinstance(value, int) and not isinstance(value, bool) and value in cls._FROM_INT:
            return cls._FROM_INT[value]
        if isinstance(value, str):
            text = value.strip().upper()
            if text in cls._FROM_PROTO:
                return cls._FROM_PROTO[text]
            if text in cls._TO_PROTO:
                return text
            if text.isdigit() and int(text) in cls._FROM_INT:
                return cls._FROM_INT[int(text)]
        raise InvalidParameter(
            f"Invalid logged model status {value!r}: expected one of {', '.join(cls._FROM_PROTO)}"
        )


def _pairs(mapping, first="key", second="value"):
    return [{first: k, second: v} for k, v in mapping.items()]


def _unpairs(items, first="key", second="value"):
    return {item[first]: item.get(second, "") for item in items or []}


@dataclass
class RegisteredModelAlias:
    alias: str
    version: str

    def to_dict(self):
        return {"alias": self.alias, "version": str(self.version)}

    @classmethod
    def from_dict(cls, d):
        return cls(d["alias"], str(d["version"]))


@dataclass
class ModelVersion:
    name: str
    version: str
    creation_timestamp: Optional[int] = None
    last_updated_timestamp: Optional[int] = None
    user_id: Optional[str] = None
    current_stage: str = ModelVersionStage.NONE
    description: Optional[str] = None
    source: Optional[str] = None
    run_id: Optional[str] = None
    status: str = ModelVersionStatus.READY
    status_message: Optional[str] = None
    tags: dict = field(default_factory=dict)
    run_link: Optional[str] = None
    aliases: list = field(default_factory=list)  # alias names pointing at this version
    model_id: Optional[str] = None
    # Where the artifacts really are when source is a models:/ URI (never sent to clients).
    storage_location: Optional[str] = None

    def to_dict(self):
        """The REST form. model_id is kept out: MLflow's server does not send it either."""
        out = {"name": self.name, "version": str(self.version)}
        for key in ("creation_timestamp", "last_updated_timestamp", "user_id", "current_stage",
                    "description", "source", "run_id", "status", "status_message"):
            value = getattr(self, key)
            if value is not None and not (key == "status_message" and value == ""):
                out[key] = value
        if self.tags:
            out["tags"] = _pairs(self.tags)
        if self.run_link is not None:
            out["run_link"] = self.run_link
        if self.aliases:
            out["aliases"] = list(self.aliases)
        return out

    @classmethod
    def from_dict(cls, d):
        return cls(
            name=d["name"],
            version=str(d["version"]),
            creation_timestamp=_int_or_none(d.get("creation_timestamp")),
            last_updated_timestamp=_int_or_none(d.get("last_updated_timestamp")),
            user_id=d.get("user_id"),
            current_stage=d.get("current_stage", ModelVersionStage.NONE),
            description=d.get("description"),
            source=d.get("source"),
            run_id=d.get("run_id"),
            status=d.get("status", ModelVersionStatus.READY),
            status_message=d.get("status_message"),
            tags=_unpairs(d.get("tags")),
            run_link=d.get("run_link"),
            aliases=list(d.get("aliases", [])),
            model_id=d.get("model_id"),
        )


@dataclass
class RegisteredModel:
    name: str
    creation_timestamp: Optional[int] = None
    last_updated_timestamp: Optional[int] = None
    user_id: Optional[str] = None
    description: Optional[str] = None
    latest_versions: list = field(default_factory=list)  # [ModelVersion]
    tags: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)  # alias -> version (str)

    def to_dict(self):
        out = {"name": self.name}
        for key in ("creation_timestamp", "last_updated_timestamp", "user_id", "description"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.latest_versions:
            # MLflow's server lists a model's latest versions without their aliases (the model has them).
            out["latest_versions"] = [{k: v for k, v in version.to_dict().items() if k != "aliases"}
                                      for version in self.latest_versions]
        if self.tags:
            out["tags"] = _pairs(self.tags)
        if self.aliases:
            out["aliases"] = [{"alias": a, "version": str(v)} for a, v in self.aliases.items()]
        return out

    @classmethod
    def from_dict(cls, d):
        return cls(
            name=d["name"],
            creation_timestamp=_int_or_none(d.get("creation_timestamp")),
            last_updated_timestamp=_int_or_none(d.get("last_updated_timestamp")),
            user_id=d.get("user_id"),
            description=d.get("description"),
            latest_versions=[ModelVersion.from_dict(v) for v in d.get("latest_versions", [])],
            tags=_unpairs(d.get("tags")),
            aliases=_unpairs(d.get("aliases"), "alias", "version"),
        )


@dataclass
class LoggedModel:
    model_id: str
    experiment_id: str
    name: str
    artifact_location: str
    creation_timestamp: Optional[int] = None
    last_updated_timestamp: Optional[int] = None
    status: str = LoggedModelStatus.PENDING
    status_message: Optional[str] = None
    model_type: Optional[str] = None
    source_run_id: Optional[str] = None
    tags: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    metrics: list = field(default_factory=list)  # [Metric], every logged point
    lifecycle_stage: str = LifecycleStage.ACTIVE

    @property
    def model_uri(self):
        return f"models:/{self.model_id}"

    def to_dict(self):
        """{"info": ..., "data": ...} as the REST API sends it; tags and params sorted by key."""
        info = {
            "model_id": self.model_id,
            "experiment_id": self.experiment_id,
            "name": self.name,
        }
        if self.creation_timestamp is not None:
            info["creation_timestamp_ms"] = self.creation_timestamp
        if self.last_updated_timestamp is not None:
            info["last_updated_timestamp_ms"] = self.last_updated_timestamp
        info["artifact_uri"] = self.artifact_location
        info["status"] = LoggedModelStatus.to_proto(self.status)
        info["model_type"] = self.model_type or ""
        if self.source_run_id:
            info["source_run_id"] = self.source_run_id
        if self.status_message:
            info["status_message"] = self.status_message
        if self.tags:
            info["tags"] = _pairs(dict(sorted(self.tags.items())))
        data = {}
        if self.params:
            data["params"] = _pairs(dict(sorted(self.params.items())))
        if self.metrics:
            data["metrics"] = [m.to_dict() for m in self.metrics]
        return {"info": info, "data": data}

    @classmethod
    def from_dict(cls, d):
        info, data = d.get("info", {}), d.get("data", {})
        return cls(
            model_id=info["model_id"],
            experiment_id=str(info.get("experiment_id", "")),
            name=info.get("name", ""),
            artifact_location=info.get("artifact_uri", ""),
            creation_timestamp=_int_or_none(info.get("creation_timestamp_ms")),
            last_updated_timestamp=_int_or_none(info.get("last_updated_timestamp_ms")),
            status=LoggedModelStatus.parse(info.get("status", LoggedModelStatus.PENDING)),
            status_message=info.get("status_message"),
            model_type=info.get("model_type") or None,
            source_run_id=info.get("source_run_id") or None,
            tags=_unpairs(info.get("tags")),
            params=_unpairs(data.get("params")),
            metrics=[Metric.from_dict(m) for m in data.get("metrics", [])],
        )


def _int_or_none(value):
    return None if value is None else int(value)
