"""scikit-learn models as MLflow saves them (flavor `sklearn`, loader_module `mlflow.sklearn`).

The flavor configuration names the file (`pickled_model`: model.pkl or model.skops), its
`serialization_format` (pickle, cloudpickle or skops; pickle when absent, as in MLflow) and,
for skops, `skops_trusted_types`.
"""

import os
import zipfile

from runtime.errors import InvalidParameter, MlfError
from runtime.models import deserialization

LOADER_MODULE = "mlflow.sklearn"
FLAVOR_NAME = "sklearn"
SERIALIZATION_FORMATS = ("pickle", "cloudpickle", "skops")
# predict_fn values MLflow lets a saved sklearn model use for pyfunc.
PREDICT_FUNCTIONS = ("predict", "predict_proba", "predict_log_proba", "predict_joint_log_proba", "score")


def load(model_dir):
    conf = model_dir.flavor(FLAVOR_NAME) or {}
    fmt = conf.get("serialization_format", "pickle")
    if fmt not in SERIALIZATION_FORMATS:
        raise InvalidParameter(
            f"Unrecognized serialization format {fmt!r} in {model_dir.path}/MLmodel; "
            f"supported: {', '.join(SERIALIZATION_FORMATS)}"
        )
    path = model_dir.contained(conf["pickled_model"]) if conf.get("pickled_model") else model_dir.data_path()
    if not os.path.isfile(path):
        raise InvalidParameter(f"The scikit-learn model file {path} does not exist")
    predict_fn = model_dir.predict_fn
    if predict_fn not in PREDICT_FUNCTIONS:
        raise InvalidParameter(
            f"predict_fn {predict_fn!r} is not supported for scikit-learn models; use one of "
            f"{', '.join(PREDICT_FUNCTIONS)}"
        )
    deserialization.check_allowed(fmt, path)
    try:
        estimator = _read(path, fmt, conf.get("skops_trusted_types"))
    except (ImportError, AttributeError) as exc:
        raise MlfError(
            f"Cannot load the scikit-learn model in {path}: {exc}. Install the packages listed in the model's "
            "requirements.txt, or use --env-manager virtualenv."
        ) from None
    if not hasattr(estimator, predict_fn):
        raise InvalidParameter(f"The scikit-learn model in {path} has no {predict_fn}() method")
    return getattr(estimator, predict_fn), estimator


def _read(path, fmt, trusted_types):
    if fmt == "skops":
        from runtime.models import skops_reader

        try:
            return skops_reader.load(path, trusted_types)
        except skops_reader.NeedsSkops:
            pass  # skops itself decides, with its full trust list and its own errors
        import skops.io
        from skops.io.exceptions import UntrustedTypesFoundException

        try:
            return skops.io.load(path, trusted=trusted_types)
        except UntrustedTypesFoundException as exc:
            raise InvalidParameter(
                f"The skops model {path} contains types that are not trusted: {exc}. List them in "
                "the sklearn flavor's skops_trusted_types if you trust this model."
            ) from None
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise InvalidParameter(f"Cannot read the skops model {path}: {exc}") from None
    with open(path, "rb") as handle:
        if fmt == "cloudpickle":
            import cloudpickle

            return cloudpickle.load(handle)
        import pickle

        return pickle.load(handle)
