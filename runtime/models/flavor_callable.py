"""The `mlf` flavor: a plain Python callable, serialized with cloudpickle.

MLmodel:
  flavors:
    mlf: {callable: callable.pkl, serialization_format: cloudpickle, cloudpickle_version: ...}
    python_function: {loader_module: mlf, model_path: callable.pkl, ...}
The callable takes the model input (and optionally `params`) and returns the predictions.
"""

import inspect
import os

from runtime.errors import InvalidParameter, MlfError
from runtime.models import deserialization
from runtime.models.model_dir import new_model_meta, pyfunc_flavor_conf, write_environment_files, write_input_example

LOADER_MODULE = "mlf"
FLAVOR_NAME = "mlf"
CALLABLE_FILE_NAME = "callable.pkl"


def save_callable(function, path, signature=None, input_example=None, pip_requirements=None):
    """Write a model directory at path that serves function(data[, params])."""
    import cloudpickle

    from runtime.models.model_dir import ModelDir

    if not callable(function):
        raise InvalidParameter(f"Expected a callable, got {type(function).__name__}")
    if os.path.exists(path) and os.listdir(path):
        raise InvalidParameter(f"Path {path} already exists and is not empty")
    os.makedirs(path, exist_ok=True)
    from runtime.fsutil import atomic_write

    atomic_write(os.path.join(path, CALLABLE_FILE_NAME), cloudpickle.dumps(function))
    flavors = {
        FLAVOR_NAME: {
            "callable": CALLABLE_FILE_NAME,
            "serialization_format": "cloudpickle",
            "cloudpickle_version": cloudpickle.__version__,
        },
        "python_function": pyfunc_flavor_conf(LOADER_MODULE, CALLABLE_FILE_NAME, predict_fn="predict"),
    }
    example_info = write_input_example(path, input_example) if input_example is not None else None
    ModelDir(path, new_model_meta(flavors, signature, example_info)).save()
    if pip_requirements is None:
        pip_requirements = [f"cloudpickle=={cloudpickle.__version__}"]
    write_environment_files(path, pip_requirements)
    return path


class CallableModel:
    """Adapts a callable to predict(data, params=None)."""

    def __init__(self, function):
        self.function = function
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._takes_params = "params" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
        )

    def predict(self, data, params=None):
        if self._takes_params:
            return self.function(data, params=params)
        return self.function(data)


def load(model_dir):
    conf = model_dir.flavor(FLAVOR_NAME) or {}
    path = model_dir.contained(conf["callable"]) if conf.get("callable") else model_dir.data_path()
    if not os.path.isfile(path):
        raise InvalidParameter(f"The callable file {path} does not exist")
    deserialization.check_allowed("cloudpickle", path)
    import cloudpickle

    with open(path, "rb") as handle:
        try:
            function = cloudpickle.load(handle)
        except (ImportError, AttributeError) as exc:
            raise MlfError(f"Cannot load the callable in {path}: {exc}. Install the code it refers to.") from None
    model = CallableModel(function)
    if model_dir.predict_fn != "predict":
        raise InvalidParameter(f"The mlf flavor only supports predict_fn 'predict', not {model_dir.predict_fn!r}")
    return model.predict, model
