"""One interface for every model mlf can run: load_model(uri) -> PyFuncModel.predict(data, params).

The python_function flavor's `loader_module` picks the loader. Each loader is a function
load(ModelDir) -> (predict_callable, raw_model), imported only when a model needs it.
"""

import gc
import importlib
import inspect
import sys

from runtime.errors import InvalidParameter
from runtime.models.model_dir import ModelDir
from runtime.models.schema import enforce_input, enforce_params

# loader_module written in MLmodel -> "module:function" of the mlf loader.
LOADERS = {
    "mlflow.sklearn": "runtime.models.flavor_sklearn:load",
    "mlf": "runtime.models.flavor_callable:load",
}


def supported_loader_modules():
    return sorted(LOADERS)


class PyFuncModel:
    def __init__(self, model_dir, predict_callable, raw_model):
        self.metadata = model_dir
        self.raw_model = raw_model
        self._predict = predict_callable
        signature = model_dir.signature
        self.input_schema = signature.inputs if signature else None
        self.params_schema = signature.params if signature else None
        try:
            parameters = inspect.signature(predict_callable).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._takes_params = "params" in parameters

    def predict(self, data, params=None):
        """Enforce the signature on data and params, then call the model."""
        data = enforce_input(data, self.input_schema)
        params = enforce_params(params, self.params_schema)
        if self._takes_params:
            return self._predict(data, params=params)
        return self._predict(data)


def load_local(path):
    """Load the model directory at a local path."""
    # Loading imports thousands of modules (scikit-learn, scipy, pandas) and creates no garbage
    # cycles worth collecting: the cyclic collector only slows it down, by a fifth or more.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_local(path)
    finally:
        if collecting:
            gc.enable()


def _load_local(path):
    model_dir = ModelDir.load(path)
    loader_module = model_dir.loader_module
    reference = LOADERS.get(loader_module)
    if reference is None:
        raise InvalidParameter(
            f"The model at {model_dir.path} uses loader_module {loader_module!r}, which mlf cannot "
            f"load. Supported loader modules: {', '.join(supported_loader_modules())}"
        )
    for code_path in model_dir.code_paths():
        if code_path not in sys.path:
            sys.path.insert(0, code_path)
    module_name, _, function = reference.partition(":")
    loader = getattr(importlib.import_module(module_name), function)
    predict_callable, raw_model = loader(model_dir)
    return PyFuncModel(model_dir, predict_callable, raw_model)


def load_model(model_uri, dst_path=None):
    """Resolve any model URI (downloading remote models) and load it."""
    from runtime.models.uris import resolve_model_uri

    return load_local(resolve_model_uri(model_uri, dst_path=dst_path))
