"""python_env.yaml: the Python version and pip dependencies a model or project needs.

Layout (as MLflow writes it):
    python: 3.11.7
    build_dependencies: [pip==23.2.1, setuptools==65.5.0, wheel]
    dependencies: [-r requirements.txt]
It can also be derived from a conda.yaml (its python= pin and pip section).
"""

import os
import platform
import re

from runtime.errors import InvalidParameter


class PythonEnv:
    def __init__(self, python=None, build_dependencies=None, dependencies=None):
        self.python = str(python) if python else platform.python_version()
        self.build_dependencies = list(build_dependencies or [])
        self.dependencies = list(dependencies or [])

    def to_dict(self):
        return {
            "python": self.python,
            "build_dependencies": self.build_dependencies,
            "dependencies": self.dependencies,
        }

    def to_yaml(self):
        import yaml

        return yaml.safe_dump(self.to_dict(), default_flow_style=False, sort_keys=False)

    @classmethod
    def from_yaml(cls, path):
        import yaml

        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        if not isinstance(data, dict):
            raise InvalidParameter(f"{path} must be a YAML mapping with python/build_dependencies/dependencies")
        unknown = set(data) - {"python", "build_dependencies", "dependencies"}
        if unknown:
            raise InvalidParameter(f"{path}: unexpected keys {sorted(unknown)}")
        for key in ("build_dependencies", "dependencies"):
            if data.get(key) is not None and not isinstance(data[key], list):
                raise InvalidParameter(f"{path}: '{key}' must be a list of requirement strings")
        return cls(data.get("python"), data.get("build_dependencies"), data.get("dependencies"))

    @classmethod
    def from_conda_yaml(cls, path):
        import yaml

        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        python = None
        build = []
        pip_deps = []
        for dep in data.get("dependencies") or []:
            if isinstance(dep, dict) and isinstance(dep.get("pip"), list):
                pip_deps.extend(str(d) for d in dep["pip"])
            elif isinstance(dep, str):
                name = re.split(r"[<>=!~ ]", dep, maxsplit=1)[0].strip()
                if name == "python":
                    python = dep[len(name):].lstrip("=<>!~ ").strip() or None
                elif name in ("pip", "setuptools", "wheel"):
                    build.append(_conda_to_pip_spec(dep))
        return cls(python, build or ["pip"], pip_deps)

    def resolved_dependencies(self, base_dir):
        """Dependencies with '-r file' lines replaced by that file's requirement lines."""
        return _expand(self.dependencies, base_dir, seen=set())


def _conda_to_pip_spec(dep):
    """conda writes 'pip=23.2' where pip wants 'pip==23.2'; other operators are shared."""
    return re.sub(r"(?<![<>=!~])=(?!=)", "==", dep, count=1)


def _expand(lines, base_dir, seen):
    result = []
    for line in lines:
        text = str(line).strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith(("-r ", "--requirement ")):
            target = os.path.join(base_dir, text.split(None, 1)[1].strip())
            real = os.path.realpath(target)
            if real in seen:
                continue
            seen.add(real)
            if not os.path.isfile(target):
                raise InvalidParameter(f"Requirements file {target} referenced by the environment does not exist")
            with open(target, encoding="utf-8") as handle:
                result.extend(_expand(handle.read().splitlines(), os.path.dirname(target), seen))
        else:
            result.append(text)
    return result
