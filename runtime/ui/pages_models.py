"""Model registry pages: the models list, a model with its versions, one version with its signature."""

import posixpath

from runtime.ui.artifact_preview import mlmodel_preview
from runtime.ui.markdown import render_markdown
from runtime.ui.queries import name_contains_filter, quoted
from runtime.ui.render import render

PAGE_SIZE = 100
VERSIONS_SHOWN = 200


def models_page(ui, request):
    name = request.query_params.get("q", "")
    page = ui.registry.search_registered_models(filter_string=name_contains_filter(name), max_results=PAGE_SIZE,
                                                page_token=request.query_params.get("page_token") or None)
    return render(ui.ctx, request, "models.html", models=list(page), name=name, next_token=page.token)


def model_page(ui, request):
    from runtime.validation import validate_model_name

    name = validate_model_name(request.path_params["name"])
    model = ui.registry.get_registered_model(name)
    versions = list(ui.registry.search_model_versions(filter_string=f"name = {quoted(name)}",
                                                       max_results=VERSIONS_SHOWN,
                                                       order_by=["version_number DESC"]))
    return render(ui.ctx, request, "model.html", model=model, versions=versions,
                  description=render_markdown(model.description or ""))


def signature_of(ui, version):
    """The MLmodel preview of a version's artifacts (signature table), or None when it cannot be read."""
    try:
        location = ui.registry.get_model_version_download_uri(version.name, version.version)
        if location.startswith(("runs:", "models:")):
            return None
        repository = ui.artifact_repository(location)
        return mlmodel_preview(repository, "MLmodel")
    except Exception:  # noqa: BLE001 - a missing or unreadable MLmodel just hides the signature
        return None


def version_page(ui, request):
    from runtime.validation import validate_model_name, validate_model_version

    name = validate_model_name(request.path_params["name"])
    version = ui.registry.get_model_version(name, validate_model_version(request.path_params["version"]))
    return render(ui.ctx, request, "model_version.html", version=version, signature=signature_of(ui, version),
                  description=render_markdown(version.description or ""), basename=posixpath.basename)


def routes(page):
    return [
        page("/models", models_page),
        page("/models/{name}", model_page),
        page("/models/{name}/versions/{version}", version_page),
    ]
