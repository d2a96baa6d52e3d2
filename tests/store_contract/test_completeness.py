"""Every store the factory can open implements the whole of its interfaces.

The interfaces are abstract base classes, so a class missing a method cannot
even be instantiated; this test checks each class the factory names without
needing a server or database, and that each one takes on every interface
(a tracking store is also a logged-model, trace, assessment and scorer store).
"""

import inspect

import pytest

from runtime.imports import load_reference
from runtime.store import factory
from runtime.store.contract.model_registry import LoggedModelStore, ModelRegistryStore
from runtime.store.contract.traces import AssessmentStore, ScorerStore, TraceStore
from runtime.store.contract.tracking import TrackingStore

TRACKING_INTERFACES = (TrackingStore, LoggedModelStore, TraceStore, AssessmentStore, ScorerStore)
INTERFACES = TRACKING_INTERFACES + (ModelRegistryStore,)


def _classes(table):
    return sorted(set(table.values()))


def _missing(cls, interfaces):
    """Interface methods cls does not define itself (or through a backend mixin)."""
    missing = []
    for interface in interfaces:
        if not issubclass(cls, interface):
            missing.append(f"all of {interface.__name__}")
            continue
        for name in interface.__abstractmethods__:
            if getattr(getattr(cls, name), "__isabstractmethod__", False):
                missing.append(f"{interface.__name__}.{name}")
    return missing


@pytest.mark.parametrize("reference", _classes(factory._STORES))
def test_tracking_stores_implement_every_interface(reference):
    cls = load_reference(reference)
    assert _missing(cls, TRACKING_INTERFACES) == []
    assert not inspect.isabstract(cls)


@pytest.mark.parametrize("reference", _classes(factory._REGISTRY_STORES))
def test_registry_stores_implement_the_registry(reference):
    cls = load_reference(reference)
    assert _missing(cls, (ModelRegistryStore,)) == []
    assert not inspect.isabstract(cls)


def test_every_interface_is_abstract_and_has_no_stubs():
    for interface in INTERFACES:
        assert inspect.isabstract(interface), interface.__name__
        for name, member in vars(interface).items():
            if inspect.isfunction(member):
                assert "NotImplementedError" not in inspect.getsource(member), f"{interface.__name__}.{name}"


def test_a_store_missing_a_method_cannot_be_built():
    from runtime.store.file.store import FileStore

    incomplete = type("Incomplete", (FileStore,), {})
    incomplete.get_run = TrackingStore.get_run
    assert _missing(incomplete, TRACKING_INTERFACES) == ["TrackingStore.get_run"]
