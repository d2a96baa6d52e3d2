"""Read the common kinds of skops files without importing skops.

Importing skops.io costs about a second: its default trust list is built by importing every
public scikit-learn module. A model MLflow saves in the skops format (its default since 3.x)
is usually an estimator or a pipeline made of dicts, lists, tuples, JSON scalars and numpy
arrays. This reader builds exactly those node kinds of skops protocol 2, and applies skops's
trust rule: a file is built only when every type in it is one skops trusts by default or one
the caller lists. Anything else (another node kind, another protocol, a type this reader
cannot prove trusted, a malformed file) raises NeedsSkops, and the caller hands the file to
skops.io.load, so results and refusals stay skops's own. The reader never imports a module
named by the file before the type is known to be trusted, except scikit-learn's own modules.

Trust, as skops decides it by default:
- containers and scalars of builtins (dict, list, tuple, set) and JSON values;
- numpy arrays (stored with allow_pickle=False) and numpy scalar types;
- scikit-learn estimators: a public class, not abstract, derived from BaseEstimator, exported
  by a public scikit-learn module (this is what sklearn.utils.all_estimators lists);
- scikit-learn's loss and link types that skops also trusts.
"""

import functools
import importlib
import inspect
import io
import json
import re
import zipfile

PROTOCOL = 2
_UNBUILT = object()
_BUILDING = object()

_PRIMITIVE_TYPES = frozenset({"builtins.int", "builtins.float", "builtins.str", "builtins.bool"})
_CONTAINER_TYPES = frozenset({"builtins.list", "builtins.set", "builtins.map", "builtins.tuple"})
# Internal scikit-learn types skops trusts besides estimators (gradient boosting losses and links).
_SKLEARN_INTERNAL_TYPES = frozenset(
    f"sklearn._loss.{module}.{name}"
    for module, names in {
        "link": ("HalfLogitLink", "IdentityLink", "Interval", "LogitLink", "LogLink", "MultinomialLogit"),
        "loss": ("AbsoluteError", "ExponentialLoss", "HalfBinomialLoss", "HalfGammaLoss", "HalfMultinomialLoss",
                 "HalfPoissonLoss", "HalfSquaredError", "HuberLoss", "PinballLoss"),
    }.items()
    for name in names
)
# Module parts that sklearn.utils.all_estimators skips.
_IGNORED_MODULE_PARTS = frozenset({"tests", "externals", "setup", "conftest", "experimental", "estimator_checks"})
_MODULE_NAME = re.compile(r"sklearn(\.[A-Za-z_][A-Za-z0-9_]*)+")


class NeedsSkops(Exception):
    """This file uses something the reader does not build; skops.io.load must read it."""


def load(path, trusted=None):
    """The object stored in the skops file at path (NeedsSkops when skops itself must read it)."""
    user_trusted = _trusted_names(trusted)
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
            if not isinstance(schema, dict) or type(schema.get("protocol")) is not int or schema["protocol"] != PROTOCOL:
                raise NeedsSkops("another skops protocol")
            reader = _Reader(archive, user_trusted)
            root = reader.node(schema)
            untrusted = reader.untrusted_types()
            if untrusted:
                raise NeedsSkops(f"types to check: {', '.join(sorted(untrusted))}")
            return root.build(reader)
    except NeedsSkops:
        raise
    except RecursionError:
        raise NeedsSkops("self-referencing objects") from None
    except (KeyError, TypeError, ValueError, AttributeError, ImportError, zipfile.BadZipFile) as exc:
        raise NeedsSkops(f"{type(exc).__name__}: {exc}") from None


def _trusted_names(trusted):
    if not trusted:
        return frozenset()
    if not isinstance(trusted, (list, tuple, str)):
        raise NeedsSkops("a trusted list skops must judge")
    if isinstance(trusted, str):
        trusted = [trusted]
    return frozenset(item if isinstance(item, str) else f"{item.__module__}.{item.__name__}" for item in trusted)


class _Reader:
    def __init__(self, archive, user_trusted):
        self.archive = archive
        self.user_trusted = user_trusted
        self.memo = {}
        self.nodes = []
        self._verdicts = {}

    def node(self, state):
        if not isinstance(state, dict):
            raise NeedsSkops("a node that is not an object")
        saved_id = state.get("__id__")
        # skops shares one node per saved id, so shared and self-referencing objects stay shared.
        if saved_id in self.memo:
            return self.memo[saved_id]
        kind = _NODE_KINDS.get(state.get("__loader__"))
        if kind is None:
            raise NeedsSkops(f"node kind {state.get('__loader__')!r}")
        node = kind(state["__module__"], state["__class__"])
        if saved_id:
            self.memo[saved_id] = node
        self.nodes.append(node)
        node.parse(state, self)
        return node

    def read_file(self, name):
        if not isinstance(name, str):
            raise NeedsSkops("a file name that is not a string")
        return self.archive.read(name)

    def untrusted_types(self):
        """The type names in the file that neither skops's defaults nor the caller trust."""
        return {node.type_name for node in self.nodes if not self._trusts(node)}

    def _trusts(self, node):
        name, default = node.type_name, node.default_trust()
        if default is ANY_TYPE or name in self.user_trusted:
            return True
        if default is SKLEARN_ESTIMATORS:
            if name not in self._verdicts:
                self._verdicts[name] = name in _SKLEARN_INTERNAL_TYPES or _is_sklearn_estimator(name)
            return self._verdicts[name]
        return name in default


# Markers for node kinds whose trust is not a fixed list.
ANY_TYPE = "any type"
SKLEARN_ESTIMATORS = "scikit-learn estimators"


@functools.lru_cache(maxsize=None)
def _numpy_scalar_types():
    import numpy

    return frozenset(
        f"{scalar.__module__}.{scalar.__name__}" for scalar in set(numpy.sctypeDict.values())
        if scalar.__module__.startswith("numpy")
    )


@functools.lru_cache(maxsize=None)
def _type_trust():
    return _PRIMITIVE_TYPES | _CONTAINER_TYPES | _numpy_scalar_types()


@functools.lru_cache(maxsize=None)
def _array_trust():
    return frozenset({"numpy.ndarray"}) | _numpy_scalar_types()


def _is_sklearn_estimator(type_name):
    """Whether sklearn.utils.all_estimators would list this type (checked without walking sklearn)."""
    module_name, _, class_name = type_name.rpartition(".")
    if not _MODULE_NAME.fullmatch(module_name) or class_name.startswith("_") or class_name == "BaseEstimator":
        return False
    parts = module_name.split(".")
    if _IGNORED_MODULE_PARTS.intersection(parts):
        return False
    # all_estimators collects classes from public modules only: the defining module's public parent.
    public = []
    for part in parts:
        if part.startswith("_"):
            break
        public.append(part)
    if len(public) < 2:  # all_estimators walks sklearn's submodules, not sklearn itself
        return False
    try:
        from sklearn.base import BaseEstimator

        exporter = importlib.import_module(".".join(public))
        cls = getattr(exporter, class_name, None)
    except ImportError:
        return False
    return (
        inspect.isclass(cls)
        and cls.__module__ == module_name
        and cls.__name__ == class_name
        and issubclass(cls, BaseEstimator)
        and not getattr(cls, "__abstractmethods__", None)
    )


def _import_type(module_name, name):
    return getattr(importlib.import_module(module_name), name)


class _Node:
    DEFAULT_TRUST = frozenset()

    def __init__(self, module_name, class_name):
        if not isinstance(module_name, str) or not isinstance(class_name, str):
            raise NeedsSkops("a type name that is not a string")
        self.type_name = f"{module_name}.{class_name}"
        self.module_name, self.class_name = module_name, class_name
        self.value = _UNBUILT

    def default_trust(self):
        """The type names skops trusts for this node kind without being told (or a marker)."""
        return self.DEFAULT_TRUST

    def build(self, reader):
        if self.value is _BUILDING:
            raise NeedsSkops("an object that contains itself")
        if self.value is _UNBUILT:
            self.value = _BUILDING
            self.value = self.construct(reader)
        return self.value

    def cls(self):
        return _import_type(self.module_name, self.class_name)


class _Json(_Node):
    DEFAULT_TRUST = ANY_TYPE  # skops trusts every JSON value

    def parse(self, state, reader):
        self.content = state["content"]

    def construct(self, reader):
        return json.loads(self.content)


class _Sequence(_Node):
    def parse(self, state, reader):
        self.items = [reader.node(item) for item in state["content"]]

    def construct(self, reader):
        return self.cls()([item.build(reader) for item in self.items])


class _List(_Sequence):
    DEFAULT_TRUST = frozenset({"builtins.list"})


class _Set(_Sequence):
    DEFAULT_TRUST = frozenset({"builtins.set"})


class _Tuple(_Sequence):
    DEFAULT_TRUST = frozenset({"builtins.tuple"})

    def construct(self, reader):
        cls = self.cls()
        values = tuple(item.build(reader) for item in self.items)
        fields = getattr(cls, "_fields", None)
        is_namedtuple = (cls.__bases__ == (tuple,) and isinstance(fields, tuple)
                         and all(isinstance(field, str) for field in fields))
        return cls(*values) if is_namedtuple else values


class _Dict(_Node):
    DEFAULT_TRUST = frozenset({"builtins.dict", "collections.OrderedDict"})

    def parse(self, state, reader):
        self.key_types = reader.node(state["key_types"])
        if not isinstance(state["content"], dict):
            raise NeedsSkops("dict content that is not an object")
        self.entries = {key: reader.node(value) for key, value in state["content"].items()}

    def construct(self, reader):
        result = self.cls()()
        for key_type, (key, value) in zip(self.key_types.build(reader), self.entries.items()):
            result[key_type(key)] = value.build(reader)
        return result


class _Type(_Node):
    def default_trust(self):
        return _type_trust()

    def parse(self, state, reader):
        pass

    def construct(self, reader):
        return self.cls()


class _Array(_Node):
    def default_trust(self):
        return _array_trust()

    def parse(self, state, reader):
        self.storage = state["type"]
        if self.storage == "numpy":
            self.data = reader.read_file(state["file"])
        elif self.storage == "json":
            self.items = [reader.node(item) for item in state["content"]]
            self.shape = reader.node(state["shape"])
        else:
            raise NeedsSkops(f"array storage {self.storage!r}")

    def construct(self, reader):
        import numpy

        if self.storage == "numpy":
            array = numpy.load(io.BytesIO(self.data), allow_pickle=False)
            return array if self.type_name == "numpy.ndarray" else self.cls()(array)
        shape = self.shape.build(reader)
        values = [item.build(reader) for item in self.items]
        if len(shape) == 1:
            array = numpy.empty(len(values), dtype=object)
            for index, value in enumerate(values):
                array[index] = value
            return array
        return numpy.array(values, dtype=object)


class _DType(_Node):
    # skops trusts no dtype node by default; only a caller's list can.
    def parse(self, state, reader):
        self.array = reader.node(state["content"])

    def construct(self, reader):
        return self.array.build(reader).dtype


class _Object(_Node):
    DEFAULT_TRUST = SKLEARN_ESTIMATORS

    def parse(self, state, reader):
        content = state.get("content")
        self.attributes = None if content is None else reader.node(content)

    def construct(self, reader):
        cls = self.cls()
        instance = cls.__new__(cls)
        if self.attributes is None:
            return instance
        attributes = self.attributes.build(reader)
        if attributes is not None:
            if hasattr(instance, "__setstate__"):
                instance.__setstate__(attributes)
            else:
                instance.__dict__.update(attributes)
        return instance


_NODE_KINDS = {
    "JsonNode": _Json,
    "ListNode": _List,
    "SetNode": _Set,
    "TupleNode": _Tuple,
    "DictNode": _Dict,
    "TypeNode": _Type,
    "NdArrayNode": _Array,
    "DTypeNode": _DType,
    "ObjectNode": _Object,
}
