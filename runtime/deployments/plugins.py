"""Finding deployment targets and checking them against mlflow's plugin contract.

Targets are read from entry-point metadata only (`installed_targets`), so help texts can list
them without importing any plugin. A plugin module is imported when a command uses it, and
checked then: `target_help()` and `run_local()` at module level and exactly one client class
derived from mlf's base class or, for plugins written for mlflow, from mlflow's (which the
plugin itself imports; mlf never imports mlflow).
"""

import importlib
import sys
from urllib.parse import urlparse

from runtime.errors import InvalidParameter, MlfError, NotFound

ENTRY_POINT_GROUP = "mlflow.deployments"
# mlf's own targets, in mlflow's order; sagemaker comes last as in mlflow.
BUILTIN_TARGETS = (
    ("databricks", "runtime.deployments.databricks"),
    ("http", "runtime.deployments.gateway"),
    ("https", "runtime.deployments.gateway"),
    ("openai", "runtime.deployments.openai"),
    ("sagemaker", "runtime.deployments.sagemaker"),
)
REQUIRED_FUNCTIONS = ("target_help", "run_local")
PLUGINS_PAGE = "https://mlflow.org/docs/latest/plugins.html#community-plugins"


def _entry_points_of(text, group):
    """(name, value) pairs of one group in an entry_points.txt (an INI file of `name = value` lines)."""
    found, current = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == group and "=" in line:
            name, _, value = line.partition("=")
            found.append((name.strip(), value.strip()))
    return found


def _group_entry_points(group):
    """(name, value) of every installed entry point of group, distributions in sys.path order.

    A plain scan of *.dist-info / *.egg-info folders: importlib.metadata costs more to import
    (email, zipfile, ...) than the rest of a deployments command. A zip or egg file on sys.path,
    which only importlib.metadata can read, sends the scan to it.
    """
    import os
    import re

    found, seen = [], set()
    for entry in sys.path:
        entry = entry or "."
        if os.path.isfile(entry):
            from importlib.metadata import entry_points

            return [(ep.name, ep.value) for ep in entry_points(group=group)]
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for folder in names:
            if not folder.endswith((".dist-info", ".egg-info")):
                continue
            distribution = re.sub(r"[-_.]+", "_", folder.rsplit(".", 1)[0].split("-")[0]).lower()
            if distribution in seen:
                continue  # an earlier path entry already provides this distribution
            seen.add(distribution)
            try:
                with open(os.path.join(entry, folder, "entry_points.txt"), encoding="utf-8") as handle:
                    found.extend(_entry_points_of(handle.read(), group))
            except OSError:
                continue
    return found


def installed_targets():
    """Target name -> entry-point value ("module" or "module:attr"): installed plugins first, then mlf's.

    mlflow registers its own targets under the same group; when mlflow is installed next to
    mlf those entries are skipped, since mlf has its own implementation of each.
    """
    targets = {}
    for name, value in _group_entry_points(ENTRY_POINT_GROUP):
        if value.split(":")[0].split(".")[0] == "mlflow":
            continue
        targets.setdefault(name, value)
    for name, module in BUILTIN_TARGETS:
        targets.setdefault(name, module)
    return targets


def target_name_of(target_uri):
    """The plugin name of a target URI: its scheme, or the whole text when it has none."""
    parsed = urlparse(target_uri or "")
    name = parsed.scheme or parsed.path
    if not name:
        raise InvalidParameter(
            f"Not a proper deployment URI: {target_uri!r}. Deployment URIs must be of the form "
            "'target' or 'target:/suffix'"
        )
    return name


class Target:
    """A loaded, checked plugin: its module and its one client class."""

    def __init__(self, name, module, client_class):
        self.name = name
        self.module = module
        self.client_class = client_class

    def client(self, target_uri):
        try:
            return self.client_class(target_uri)
        except MlfError:
            raise
        except Exception as exc:  # noqa: BLE001 - a plugin's failure becomes one line
            raise MlfError(f'The "{self.name}" target rejected {target_uri!r}: {one_line(exc)}') from None


def one_line(exc):
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def _import(value, name):
    module_name, _, attribute = value.partition(":")
    try:
        loaded = importlib.import_module(module_name)
        return getattr(loaded, attribute) if attribute else loaded
    except Exception as exc:  # noqa: BLE001 - any import failure of a plugin is reported the same way
        raise MlfError(f'Failed to load the plugin "{name}": {type(exc).__name__}: {one_line(exc)}') from None


def base_classes():
    """The client base classes a plugin may derive from: mlf's, and mlflow's once a plugin imported it."""
    from runtime.deployments.base import BaseDeploymentClient

    bases = [BaseDeploymentClient]
    mlflow_base = sys.modules.get("mlflow.deployments.base")
    if mlflow_base is not None and isinstance(getattr(mlflow_base, "BaseDeploymentClient", None), type):
        bases.append(mlflow_base.BaseDeploymentClient)
    return tuple(bases)


def check_plugin(name, module):
    """The Target for a plugin module, or MlfError naming what breaks the contract."""
    where = f'The plugin for target "{name}" ({getattr(module, "__name__", module)})'
    missing = [f for f in REQUIRED_FUNCTIONS if not callable(getattr(module, f, None))]
    if missing:
        raise MlfError(f"{where} does not have every required function. Missing interfaces: {', '.join(missing)}")
    bases = base_classes()
    clients = sorted({value for value in vars(module).values()
                      if isinstance(value, type) and issubclass(value, bases) and value not in bases},
                     key=lambda c: c.__name__)
    if not clients:
        raise MlfError(f"{where} has no child class of BaseDeploymentClient: it must define exactly one "
                       "deployment client class")
    if len(clients) > 1:
        raise MlfError(f"{where} has more than one child class of BaseDeploymentClient "
                       f"({', '.join(c.__name__ for c in clients)}): it must define exactly one")
    return Target(name, module, clients[0])


def load_target(target_uri):
    name = target_name_of(target_uri)
    targets = installed_targets()
    if name not in targets:
        raise NotFound(
            f'No plugin found for managing model deployments to "{name}". Install a plugin that registers '
            f'"{name}" in the entry-point group {ENTRY_POINT_GROUP} ({PLUGINS_PAGE}); installed targets: '
            f"{', '.join(targets)}"
        )
    return check_plugin(name, _import(targets[name], name))


def targets_help_note():
    """The sentence help texts show about installed targets (entry-point metadata only)."""
    names = list(installed_targets())
    return ("Deployment targets installed: " + ", ".join(names) + ". Run `mlf deployments help -t <target>` "
            "for the URI forms and -C keys of one target.")
