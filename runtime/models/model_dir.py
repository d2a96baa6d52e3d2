"""The MLflow Model directory: reading and writing MLmodel and its environment files.

A model directory holds:
  MLmodel           YAML: flavors (python_function with loader_module, model_path,
                    predict_fn, env, python_version, code), signature, saved_input_example_info,
                    model_uuid, mlflow_version, utc_time_created, ...
  requirements.txt  pip requirements, one per line
  conda.yaml        conda environment with a pip section
  python_env.yaml   python version, build dependencies and `-r requirements.txt`
  input_example.json / serving_input_example.json (optional)
mlf reads directories written by MLflow 3.x and writes its own in the same layout.
"""

import datetime
import json
import os
import platform
import uuid

from runtime.errors import InvalidParameter, NotFound
from runtime.fsutil import atomic_write

MLMODEL_FILE_NAME = "MLmodel"
PYFUNC_FLAVOR = "python_function"
REQUIREMENTS_FILE_NAME = "requirements.txt"
CONDA_ENV_FILE_NAME = "conda.yaml"
PYTHON_ENV_FILE_NAME = "python_env.yaml"
INPUT_EXAMPLE_FILE_NAME = "input_example.json"
SERVING_INPUT_FILE_NAME = "serving_input_example.json"


class ModelDir:
    """A model directory on local disk and its parsed MLmodel."""

    def __init__(self, path, meta):
        self.path = os.path.abspath(path)
        self.meta = meta

    # ---- reading -------------------------------------------------------------------------
    @classmethod
    def load(cls, path):
        path = os.fspath(path)
        if os.path.isfile(path) and os.path.basename(path) == MLMODEL_FILE_NAME:
            path = os.path.dirname(path)
        mlmodel = os.path.join(path, MLMODEL_FILE_NAME)
        if not os.path.isdir(path):
            raise NotFound(f"Model directory {path} does not exist")
        if not os.path.isfile(mlmodel):
            raise NotFound(f"{path} is not an MLflow model: it has no {MLMODEL_FILE_NAME} file")
        import yaml

        try:
            with open(mlmodel, encoding="utf-8") as handle:
                meta = yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise InvalidParameter(f"Cannot read {mlmodel}: {exc}") from None
        if not isinstance(meta, dict):
            raise InvalidParameter(f"{mlmodel} must be a YAML mapping")
        if not isinstance(meta.get("flavors"), dict) or not meta["flavors"]:
            raise InvalidParameter(f"{mlmodel} declares no flavors")
        return cls(path, meta)

    @property
    def flavors(self):
        return self.meta.get("flavors") or {}

    def flavor(self, name):
        return self.flavors.get(name)

    @property
    def pyfunc_conf(self):
        conf = self.flavors.get(PYFUNC_FLAVOR)
        if conf is None:
            raise InvalidParameter(
                f"The model at {self.path} has no {PYFUNC_FLAVOR} flavor (it has: "
                f"{', '.join(sorted(self.flavors))}); only python_function models can be served or predicted"
            )
        return conf

    @property
    def loader_module(self):
        return self.pyfunc_conf.get("loader_module")

    @property
    def predict_fn(self):
        return self.pyfunc_conf.get("predict_fn") or "predict"

    def data_path(self):
        """Absolute path of the python_function model_path (data), kept inside the model dir."""
        relative = self.pyfunc_conf.get("model_path") or self.pyfunc_conf.get("data")
        if not relative:
            return self.path
        return self.contained(relative)

    def contained(self, relative):
        """path/relative, refusing anything that leaves the model directory."""
        from runtime.fsutil import contained_path

        return contained_path(self.path, relative)

    def code_paths(self):
        code = self.pyfunc_conf.get("code")
        return [self.contained(code)] if code else []

    @property
    def signature(self):
        from runtime.models.schema import Signature

        return Signature.from_mlmodel(self.meta.get("signature"))

    @property
    def model_uuid(self):
        return self.meta.get("model_uuid")

    @property
    def mlflow_version(self):
        return self.meta.get("mlflow_version")

    @property
    def python_version(self):
        conf = self.flavors.get(PYFUNC_FLAVOR) or {}
        if conf.get("python_version"):
            return str(conf["python_version"])
        env_file = self.env_file("virtualenv")
        if env_file:
            from runtime.models.python_env import PythonEnv

            return PythonEnv.from_yaml(env_file).python
        return None

    def env_file(self, kind):
        """Path of the environment file of this kind ('virtualenv' or 'conda'), or None.

        MLflow 1.x wrote `env: conda.yaml`; newer versions write a mapping per manager.
        """
        env = (self.flavors.get(PYFUNC_FLAVOR) or {}).get("env")
        if isinstance(env, dict):
            name = env.get(kind)
        elif isinstance(env, str) and kind == "conda":
            name = env
        else:
            name = None
        default = PYTHON_ENV_FILE_NAME if kind == "virtualenv" else CONDA_ENV_FILE_NAME
        for candidate in (name, default):
            if candidate and os.path.isfile(os.path.join(self.path, candidate)):
                return self.contained(candidate)
        return None

    @property
    def requirements_path(self):
        path = os.path.join(self.path, REQUIREMENTS_FILE_NAME)
        return path if os.path.isfile(path) else None

    def input_example(self):
        """The saved input example as parsed JSON, or None."""
        info = self.meta.get("saved_input_example_info") or {}
        name = info.get("artifact_path")
        if not name:
            return None
        with open(self.contained(name), encoding="utf-8") as handle:
            return json.load(handle)

    def serving_input_example(self):
        info = self.meta.get("saved_input_example_info") or {}
        name = info.get("serving_input_path")
        if not name or not os.path.isfile(os.path.join(self.path, name)):
            return None
        with open(self.contained(name), encoding="utf-8") as handle:
            return handle.read()

    # ---- writing -------------------------------------------------------------------------
    def save(self):
        atomic_write(os.path.join(self.path, MLMODEL_FILE_NAME), dump_mlmodel(self.meta))


def dump_mlmodel(meta):
    import yaml

    return yaml.safe_dump(meta, default_flow_style=False, sort_keys=True)


def new_model_meta(flavors, signature=None, input_example_info=None):
    """The MLmodel mapping for a model mlf writes (same keys as MLflow)."""
    from runtime import __version__

    meta = {
        "flavors": flavors,
        "mlf_version": __version__,
        "model_uuid": uuid.uuid4().hex,
        "utc_time_created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    if signature is not None:
        meta["signature"] = signature.to_mlmodel()
    if input_example_info:
        meta["saved_input_example_info"] = input_example_info
    return meta


def pyfunc_flavor_conf(loader_module, model_path, predict_fn="predict", code=None):
    conf = {
        "loader_module": loader_module,
        "model_path": model_path,
        "predict_fn": predict_fn,
        "python_version": platform.python_version(),
        "env": {"conda": CONDA_ENV_FILE_NAME, "virtualenv": PYTHON_ENV_FILE_NAME},
    }
    if code:
        conf["code"] = code
    return conf


def _installed_version(distribution):
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def write_environment_files(path, pip_requirements):
    """requirements.txt, conda.yaml and python_env.yaml for the running interpreter."""
    import yaml

    from runtime.models.python_env import PythonEnv

    requirements = [str(r).strip() for r in pip_requirements if str(r).strip()]
    atomic_write(os.path.join(path, REQUIREMENTS_FILE_NAME), "\n".join(requirements))
    pip_version = _installed_version("pip")
    conda = {
        "channels": ["conda-forge"],
        "dependencies": [
            f"python={platform.python_version()}",
            f"pip<={pip_version}" if pip_version else "pip",
            {"pip": requirements},
        ],
        "name": "mlflow-env",
    }
    atomic_write(os.path.join(path, CONDA_ENV_FILE_NAME), yaml.safe_dump(conda, default_flow_style=False))
    build = []
    for tool in ("pip", "setuptools"):
        version = _installed_version(tool)
        build.append(f"{tool}=={version}" if version else tool)
    build.append("wheel")
    env = PythonEnv(platform.python_version(), build, [f"-r {REQUIREMENTS_FILE_NAME}"])
    atomic_write(os.path.join(path, PYTHON_ENV_FILE_NAME), env.to_yaml())


def write_input_example(path, frame_or_data):
    """Save an input example the way MLflow does (split orient + a serving payload)."""
    import pandas as pd

    if isinstance(frame_or_data, pd.DataFrame):
        split = json.loads(frame_or_data.to_json(orient="split", index=False))
        example = {"columns": split["columns"], "data": split["data"]}
        serving = {"dataframe_split": example}
        info = {"artifact_path": INPUT_EXAMPLE_FILE_NAME, "type": "dataframe", "pandas_orient": "split"}
    else:
        is_array = hasattr(frame_or_data, "tolist")
        example = frame_or_data.tolist() if is_array else frame_or_data
        serving = {"inputs": example}
        info = {"artifact_path": INPUT_EXAMPLE_FILE_NAME, "type": "ndarray" if is_array else "json_object"}
    info["serving_input_path"] = SERVING_INPUT_FILE_NAME
    atomic_write(os.path.join(path, INPUT_EXAMPLE_FILE_NAME), json.dumps(example))
    atomic_write(os.path.join(path, SERVING_INPUT_FILE_NAME), json.dumps(serving, indent=2))
    return info
