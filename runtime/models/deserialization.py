"""Whether this process may deserialize model files that can run code when loaded.

pickle and cloudpickle files execute arbitrary code on load, so a model from an untrusted
source can take over the process that loads it. Opt out with MLF_ALLOW_PICKLE=false: mlf
then refuses pickle, cloudpickle and the mlf callable flavor. MLflow's own switch,
MLFLOW_ALLOW_PICKLE_DESERIALIZATION=false, is honoured too and, as in MLflow, also refuses
skops files (their trusted-type list is read from the model itself).
"""

import os

from runtime.errors import MlfError

CODE_EXECUTING_FORMATS = ("pickle", "cloudpickle")
_FALSE = ("false", "0", "no", "off")


def _disabled(name):
    return os.environ.get(name, "").strip().lower() in _FALSE


def check_allowed(serialization_format, path):
    """Raise MlfError when the environment forbids loading this format."""
    if serialization_format in CODE_EXECUTING_FORMATS and _disabled("MLF_ALLOW_PICKLE"):
        raise MlfError(
            f"Refusing to load {path}: it is serialized with {serialization_format}, which can run "
            "arbitrary code while loading, and MLF_ALLOW_PICKLE=false. Only load models you trust; "
            "unset MLF_ALLOW_PICKLE (or set it to true) to allow it, or save the model with "
            "serialization_format='skops'."
        )
    if _disabled("MLFLOW_ALLOW_PICKLE_DESERIALIZATION"):
        raise MlfError(
            f"Refusing to load {path}: MLFLOW_ALLOW_PICKLE_DESERIALIZATION is false. Loading a model "
            f"({serialization_format}) can execute code from the model artifact; set it to true to allow."
        )
