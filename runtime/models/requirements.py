"""`models update-pip-requirements`: add or remove pip requirements of a model.

Both requirements.txt and the pip section of conda.yaml are rewritten with the same change:
  add     each given requirement replaces any line for the same package (whatever its
          version) or is appended
  remove  every line for the given packages goes, whatever the versions given
Package names match as pip compares them (case, '-', '_' and '.' are equivalent). Lines that
are not requirements (options such as -r, comments) are kept as they are. models:/ URIs of
registered versions are refused: registry artifacts are read-only.
"""

import os
import shutil
import tempfile

from runtime.errors import InvalidParameter, NotFound
from runtime.fsutil import atomic_write
from runtime.models.model_dir import CONDA_ENV_FILE_NAME, REQUIREMENTS_FILE_NAME

OPERATIONS = ("add", "remove")


def parse_requirements(strings):
    from packaging.requirements import InvalidRequirement, Requirement

    parsed, invalid = [], {}
    for text in strings:
        try:
            parsed.append(Requirement(text.strip().lower()))
        except InvalidRequirement as exc:
            invalid[text] = str(exc)
    if invalid:
        raise InvalidParameter(f"Found invalid requirements: {invalid}")
    return parsed


def _key(line):
    """The canonical package name of a requirement line, or None for other lines."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    text = str(line).strip()
    if not text or text.startswith(("#", "-")):
        return None
    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return None


def apply_change(lines, operation, requirements):
    """New list of requirement lines after add/remove."""
    from packaging.utils import canonicalize_name

    if operation not in OPERATIONS:
        raise InvalidParameter(f"Invalid operation {operation!r}: expected add or remove")
    wanted = {}
    for requirement in requirements:
        wanted[canonicalize_name(requirement.name)] = str(requirement)  # the last one given wins
    result = []
    placed = set()
    for line in lines:
        key = _key(line)
        if key in wanted:
            if operation == "add" and key not in placed:
                result.append(wanted[key])
                placed.add(key)
            continue
        result.append(str(line).strip())
    if operation == "add":
        result.extend(text for key, text in wanted.items() if key not in placed)
    return [line for line in result if line]


def update_files(model_dir_path, operation, requirement_strings):
    """Rewrite requirements.txt and conda.yaml in a local folder; returns (old, new) lists."""
    import yaml

    if not requirement_strings:
        raise InvalidParameter("Give at least one requirement to add or remove")
    requirements = parse_requirements(requirement_strings)
    requirements_path = os.path.join(model_dir_path, REQUIREMENTS_FILE_NAME)
    conda_path = os.path.join(model_dir_path, CONDA_ENV_FILE_NAME)
    if not os.path.isfile(requirements_path) and not os.path.isfile(conda_path):
        raise NotFound(f"{model_dir_path} has neither {REQUIREMENTS_FILE_NAME} nor {CONDA_ENV_FILE_NAME}")
    old = new = None
    if os.path.isfile(conda_path):
        with open(conda_path, encoding="utf-8") as handle:
            conda = yaml.safe_load(handle) or {}
        dependencies = conda.setdefault("dependencies", [])
        section = next((d for d in dependencies if isinstance(d, dict) and "pip" in d), None)
        if section is None:
            section = {"pip": []}
            if operation == "add":
                if not any(isinstance(d, str) and _key(d) == "pip" for d in dependencies):
                    dependencies.append("pip")
                dependencies.append(section)
        old = list(section.get("pip") or [])
        new = apply_change(old, operation, requirements)
        section["pip"] = new
        atomic_write(conda_path, yaml.safe_dump(conda, default_flow_style=False, sort_keys=False))
    if os.path.isfile(requirements_path):
        with open(requirements_path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        updated = apply_change(lines, operation, requirements)
        atomic_write(requirements_path, "\n".join(updated))
        if old is None:
            old, new = lines, updated
    return old, new


def update_model_requirements(model_uri, operation, requirement_strings, tracking_uri=None):
    """Apply the change to the model at model_uri (local, runs:/, mlflow-artifacts:/, s3://)."""
    from runtime.models import uris

    if operation not in OPERATIONS:
        raise InvalidParameter(f"Invalid operation {operation!r}: expected add or remove")
    if uris.scheme_of(model_uri) == "models":
        parsed = uris.parse_models_uri(model_uri)
        if "model_id" not in parsed:
            raise InvalidParameter(
                f'Failed to set requirements on "{model_uri}". Model URIs with the `models:/` scheme are '
                "not supported: artifacts in the model registry are read-only. Use the runs:/ or path URI "
                "of the model instead."
            )
    artifact_uri = uris.underlying_artifact_uri(model_uri, tracking_uri)
    if uris.is_local_uri(artifact_uri):
        path = uris.resolve_model_uri(artifact_uri)
        if not os.path.isdir(path):
            raise InvalidParameter(f"{model_uri} is not a model directory")
        return update_files(path, operation, requirement_strings)
    scratch = tempfile.mkdtemp(prefix="mlf-reqs-")
    try:
        present = []
        for name in (REQUIREMENTS_FILE_NAME, CONDA_ENV_FILE_NAME):
            try:
                uris.download_file(artifact_uri, name, scratch, tracking_uri)
                present.append(name)
            except NotFound:
                continue
        result = update_files(scratch, operation, requirement_strings)
        for name in present:
            uris.upload_file(os.path.join(scratch, name), artifact_uri, tracking_uri)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
