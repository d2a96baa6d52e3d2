"""The tracking data model (experiments, runs, metrics, params, tags).

Field names follow MLflow's protobuf messages so that ``to_dict`` gives the
JSON the REST API sends, and stores can round-trip any of them.
"""

from dataclasses import dataclass, field
from typing import Optional


class LifecycleStage:
    ACTIVE = "active"
    DELETED = "deleted"


class ViewType:
    """Which lifecycle stages a search returns (MLflow's ViewType)."""

    ACTIVE_ONLY = 1
    DELETED_ONLY = 2
    ALL = 3

    _BY_NAME = {"active_only": 1, "deleted_only": 2, "all": 3}
    _NAMES = {1: "ACTIVE_ONLY", 2: "DELETED_ONLY", 3: "ALL"}

    @classmethod
    def from_string(cls, text):
        """Accept 'active_only', 'ACTIVE_ONLY', 'all' ... as the CLI and REST API do."""
        value = cls._BY_NAME.get(str(text).strip().lower())
        if value is None:
            from runtime.errors import InvalidParameter

            raise InvalidParameter(
                f"invalid view type {text!r}: expected one of active_only, deleted_only, all"
            )
        return value

    @classmethod
    def to_name(cls, value):
        return cls._NAMES[value]

    @classmethod
    def stages(cls, value):
        if value == cls.ACTIVE_ONLY:
            return (LifecycleStage.ACTIVE,)
        if value == cls.DELETED_ONLY:
            return (LifecycleStage.DELETED,)
        return (LifecycleStage.ACTIVE, LifecycleStage.DELETED)


class RunStatus:
    """Run status names and the integers MLflow's file store writes in meta.yaml."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    _TO_INT = {"RUNNING": 1, "SCHEDULED": 2, "FINISHED": 3, "FAILED": 4, "KILLED": 5}
    _FROM_INT = {v: k for k, v in _TO_INT.items()}
    ALL = tuple(_TO_INT)
    TERMINATED = ("FINISHED", "FAILED", "KILLED")

    @classmethod
    def to_int(cls, name):
        return cls._TO_INT[name]

    @classmethod
    def from_int(cls, number):
        return cls._FROM_INT[int(number)]

    @classmethod
    def validate(cls, name):
        if name not in cls._TO_INT:
            from runtime.errors import InvalidParameter

            raise InvalidParameter(
                f"invalid run status {name!r}: expected one of {', '.join(cls.ALL)}"
            )
        return name


def _key_values(items):
    return [{"key": t.key, "value": t.value} for t in items]


@dataclass
class ExperimentTag:
    key: str
    value: str


@dataclass
class Experiment:
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str = LifecycleStage.ACTIVE
    creation_time: Optional[int] = None
    last_update_time: Optional[int] = None
    tags: dict = field(default_factory=dict)

    def to_dict(self):
        out = {
            "experiment_id": self.experiment_id,
            "name": self.name,
            "artifact_location": self.artifact_location,
            "lifecycle_stage": self.lifecycle_stage,
        }
        if self.last_update_time is not None:
            out["last_update_time"] = self.last_update_time
        if self.creation_time is not None:
            out["creation_time"] = self.creation_time
        if self.tags:
            out["tags"] = [{"key": k, "value": v} for k, v in self.tags.items()]
        return out

    @classmethod
    def from_dict(cls, d):
        return cls(
            experiment_id=str(d["experiment_id"]),
            name=d.get("name", ""),
            artifact_location=d.get("artifact_location", ""),
            lifecycle_stage=d.get("lifecycle_stage", LifecycleStage.ACTIVE),
            creation_time=d.get("creation_time"),
            last_update_time=d.get("last_update_time"),
            tags={t["key"]: t.get("value", "") for t in d.get("tags", [])},
        )


@dataclass
class Metric:
    key: str
    value: float
    timestamp: int
    step: int = 0
    run_id: Optional[str] = None
    dataset_name: Optional[str] = None
    dataset_digest: Optional[str] = None
    model_id: Optional[str] = None

    def to_dict(self):
        out = {"key": self.key, "value": self.value, "timestamp": self.timestamp, "step": self.step}
        for name in ("dataset_name", "dataset_digest", "model_id", "run_id"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_dict(cls, d):
        return cls(
            key=d["key"],
            value=float(d["value"]),
            timestamp=int(d.get("timestamp") or 0),
            step=int(d.get("step") or 0),
            run_id=d.get("run_id"),
            dataset_name=d.get("dataset_name"),
            dataset_digest=d.get("dataset_digest"),
            model_id=d.get("model_id"),
        )


@dataclass
class Param:
    key: str
    value: str


@dataclass
class RunTag:
    key: str
    value: str


@dataclass
class RunInfo:
    run_id: str
    experiment_id: str
    run_name: str = ""
    user_id: str = ""
    status: str = RunStatus.RUNNING
    start_time: Optional[int] = None
    end_time: Optional[int] = None
    artifact_uri: str = ""
    lifecycle_stage: str = LifecycleStage.ACTIVE

    def to_dict(self):
        out = {
            "run_uuid": self.run_id,
            "experiment_id": self.experiment_id,
            "run_name": self.run_name,
            "user_id": self.user_id,
            "status": self.status,
        }
        if self.start_time is not None:
            out["start_time"] = self.start_time
        if self.end_time is not None:
            out["end_time"] = self.end_time
        out["artifact_uri"] = self.artifact_uri
        out["lifecycle_stage"] = self.lifecycle_stage
        out["run_id"] = self.run_id
        return out

    @classmethod
    def from_dict(cls, d):
        return cls(
            run_id=d.get("run_id") or d.get("run_uuid"),
            experiment_id=str(d.get("experiment_id", "")),
            run_name=d.get("run_name", ""),
            user_id=d.get("user_id", ""),
            status=d.get("status", RunStatus.RUNNING),
            start_time=d.get("start_time"),
            end_time=d.get("end_time"),
            artifact_uri=d.get("artifact_uri", ""),
            lifecycle_stage=d.get("lifecycle_stage", LifecycleStage.ACTIVE),
        )


@dataclass
class Dataset:
    name: str
    digest: str
    source_type: str = ""
    source: str = ""
    schema: Optional[str] = None
    profile: Optional[str] = None

    def to_dict(self):
        out = {"name": self.name, "digest": self.digest, "source_type": self.source_type, "source": self.source}
        if self.schema is not None:
            out["schema"] = self.schema
        if self.profile is not None:
            out["profile"] = self.profile
        return out

    @classmethod
    def from_dict(cls, d):
        return cls(d["name"], d["digest"], d.get("source_type", ""), d.get("source", ""), d.get("schema"), d.get("profile"))


@dataclass
class DatasetInput:
    dataset: Dataset
    tags: dict = field(default_factory=dict)

    def to_dict(self):
        out = {"dataset": self.dataset.to_dict()}
        if self.tags:
            out["tags"] = [{"key": k, "value": v} for k, v in self.tags.items()]
        return out

    @classmethod
    def from_dict(cls, d):
        return cls(Dataset.from_dict(d["dataset"]), {t["key"]: t["value"] for t in d.get("tags", [])})


@dataclass
class Run:
    info: RunInfo
    metrics: dict = field(default_factory=dict)  # key -> latest Metric
    params: dict = field(default_factory=dict)  # key -> value
    tags: dict = field(default_factory=dict)  # key -> value
    dataset_inputs: list = field(default_factory=list)  # [DatasetInput]
    model_inputs: list = field(default_factory=list)  # [{"model_id": ...}]
    model_outputs: list = field(default_factory=list)  # [{"model_id": ..., "step": ...}]

    @property
    def run_id(self):
        return self.info.run_id

    def to_dict(self):
        data = {}
        if self.metrics:
            data["metrics"] = [m.to_dict() for m in self.metrics.values()]
        if self.params:
            data["params"] = [{"key": k, "value": v} for k, v in self.params.items()]
        if self.tags:
            data["tags"] = [{"key": k, "value": v} for k, v in self.tags.items()]
        inputs = {}
        if self.dataset_inputs:
            inputs["dataset_inputs"] = [d.to_dict() for d in self.dataset_inputs]
        if self.model_inputs:
            inputs["model_inputs"] = list(self.model_inputs)
        out = {"info": self.info.to_dict(), "data": data, "inputs": inputs}
        if self.model_outputs:
            out["outputs"] = {"model_outputs": list(self.model_outputs)}
        return out

    @classmethod
    def from_dict(cls, d):
        data = d.get("data", {})
        inputs = d.get("inputs", {})
        metrics = {}
        for m in data.get("metrics", []):
            metric = Metric.from_dict(m)
            metrics[metric.key] = metric
        return cls(
            info=RunInfo.from_dict(d["info"]),
            metrics=metrics,
            params={p["key"]: p.get("value", "") for p in data.get("params", [])},
            tags={t["key"]: t.get("value", "") for t in data.get("tags", [])},
            dataset_inputs=[DatasetInput.from_dict(x) for x in inputs.get("dataset_inputs", [])],
            model_inputs=list(inputs.get("model_inputs", [])),
            model_outputs=list(d.get("outputs", {}).get("model_outputs", [])),
        )


@dataclass
class FileInfo:
    path: str
    is_dir: bool
    file_size: Optional[int] = None

    def to_dict(self):
        out = {"path": self.path, "is_dir": self.is_dir}
        if self.file_size is not None:
            out["file_size"] = self.file_size
        return out


class PagedList(list):
    """A page of results plus the token for the next page (None on the last page)."""

    def __init__(self, items, token=None):
        super().__init__(items)
        self.token = token
