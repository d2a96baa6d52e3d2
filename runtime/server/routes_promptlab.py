"""``POST /ajax-api/2.0/mlflow/runs/create-promptlab-run``: the run the UI's prompt engineering page saves.

One request makes a whole run, as mlflow's server does: the run (with the caller's tags), the model's
parameters and route and the prompt template as params, the tags that mark it a prompt-engineering run
with an evaluation table, a ``model`` directory (MLmodel for mlflow's promptlab pyfunc loader,
parameters.yaml, environment files, input example) recorded in ``mlflow.log-model.history``, and
``eval_results_table.json``. The run ends FINISHED, or FAILED when writing its artifacts fails.
"""

import json
import logging
import os
import shutil
import tempfile
import time

from runtime.entities import Param, RunStatus, RunTag
from runtime.errors import InvalidParameter
from runtime.server.artifact_access import ArtifactAccess
from runtime.server.routes_tracking import run_to_wire
from runtime.server.routes_ui import check_json_content_type
from runtime.server.routing import endpoint
from runtime.validation import validate_experiment_id

log = logging.getLogger("mlf.server")

PATH = "/ajax-api/2.0/mlflow/runs/create-promptlab-run"
PROMPTLAB_LOADER = "mlflow.prompt.promptlab_model"  # mlflow's module that loads these models
MLFLOW_VERSION = "3.17.2"
MODEL_DIR, EVAL_TABLE = "model", "eval_results_table.json"
PARAMETERS_FILE = "parameters.yaml"
LOGGED_ARTIFACTS_TAG, SOURCE_TYPE_TAG = "mlflow.loggedArtifacts", "mlflow.source.type"
MODEL_HISTORY_TAG = "mlflow.log-model.history"


def _required(body, name):
    value = body.get(name)
    if not value:
        raise InvalidParameter(f"CreatePromptlabRun request must specify {name}.")
    return value


def _params(entries):
    """[{"key", "value"}] -> Params with string values."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidParameter("CreatePromptlabRun parameters must be lists of {\"key\": ..., \"value\": ...} objects.")
    return [Param(str(e.get("key")), str(e.get("value"))) for e in entries]


def eval_results_table(prompt_parameters, model_input, output_parameters, model_output):
    """The one-row table the UI shows: prompt parameters, the prompt, the output, output parameters."""
    columns = [p.key for p in prompt_parameters] + ["prompt", "output"] + [p.key for p in output_parameters]
    row = [p.value for p in prompt_parameters] + [model_input, model_output] + [p.value for p in output_parameters]
    return {"columns": columns, "data": [row]}


def write_promptlab_model(path, run_id, template, prompt_parameters, model_parameters, route):
    """The model directory; returns its MLmodel mapping (also recorded in the run's model history)."""
    import yaml

    from runtime.models.model_dir import (
        INPUT_EXAMPLE_FILE_NAME,
        dump_mlmodel,
        new_model_meta,
        pyfunc_flavor_conf,
        write_environment_files,
    )

    os.makedirs(path)
    with open(os.path.join(path, PARAMETERS_FILE), "w") as handle:
        yaml.safe_dump({"prompt_template": template,
                        "prompt_parameters": {p.key: p.value for p in prompt_parameters},
                        "model_parameters": {p.key: p.value for p in model_parameters},
                        "model_route": route}, handle, default_flow_style=False)
    with open(os.path.join(path, INPUT_EXAMPLE_FILE_NAME), "w") as handle:
        json.dump({"inputs": [p.value for p in prompt_parameters]}, handle)
    write_environment_files(path, [f"mlflow[gateway]=={MLFLOW_VERSION}"])
    flavor = pyfunc_flavor_conf(PROMPTLAB_LOADER, None)
    flavor.pop("model_path")
    flavor.pop("predict_fn")
    flavor["parameters_path"] = PARAMETERS_FILE
    column = [{"type": "string", "name": p.key, "required": True} for p in prompt_parameters]
    meta = new_model_meta({"python_function": flavor},
                          input_example_info={"artifact_path": INPUT_EXAMPLE_FILE_NAME, "type": "json_object"})
    meta["signature"] = {"inputs": json.dumps(column),
                         "outputs": json.dumps([{"type": "string", "name": "output", "required": True}]),
                         "params": None}
    meta.update({"artifact_path": MODEL_DIR, "run_id": run_id})
    with open(os.path.join(path, "MLmodel"), "w") as handle:
        handle.write(dump_mlmodel(meta))
    return meta


class PromptlabHandlers:
    def __init__(self, ctx):
        self.ctx = ctx
        self.access = ArtifactAccess(ctx.config)

    def create_promptlab_run(self, body, request):
        check_json_content_type(request)
        experiment_id = validate_experiment_id(_required(body, "experiment_id"))
        template = _required(body, "prompt_template")
        prompt_parameters = _params(_required(body, "prompt_parameters"))
        route = _required(body, "model_route")
        model_parameters = _params(body.get("model_parameters") or [])
        model_input = _required(body, "model_input")
        output_parameters = _params(body.get("model_output_parameters") or [])
        _required(body, "mlflow_version")
        tags = {t.get("key"): t.get("value") for t in body.get("tags") or [] if isinstance(t, dict)}
        store = self.ctx.tracking_store
        run = store.create_run(experiment_id, user_id=body.get("user_id", "unknown"),
                               start_time=body.get("start_time", int(time.time() * 1000)), tags=tags,
                               run_name=body.get("run_name"))
        run_id = run.info.run_id
        status = RunStatus.FINISHED
        try:
            self._record(store, run, template, prompt_parameters, model_parameters, route, model_input,
                         output_parameters, body.get("model_output"))
        except Exception:  # noqa: BLE001 - as mlflow: the run stays, marked FAILED
            log.exception("writing prompt engineering run %s failed", run_id)
            status = RunStatus.FAILED
        store.update_run_info(run_id, status=status, end_time=int(time.time() * 1000), run_name=run.info.run_name)
        return {"run": run_to_wire(store.get_run(run_id))}

    def _record(self, store, run, template, prompt_parameters, model_parameters, route, model_input,
                output_parameters, model_output):
        run_id = run.info.run_id
        store.log_batch(run_id, params=[*model_parameters, Param("model_route", route),
                                        Param("prompt_template", template)], tags=[
            RunTag(LOGGED_ARTIFACTS_TAG, json.dumps([{"path": EVAL_TABLE, "type": "table"}])),
            RunTag(SOURCE_TYPE_TAG, "PROMPT_ENGINEERING")])
        folder = tempfile.mkdtemp(prefix="mlf-promptlab-")
        try:
            meta = write_promptlab_model(os.path.join(folder, MODEL_DIR), run_id, template, prompt_parameters,
                                         model_parameters, route)
            with open(os.path.join(folder, EVAL_TABLE), "w") as handle:
                json.dump(eval_results_table(prompt_parameters, model_input, output_parameters, model_output), handle)
            self.access.repository_for(run.info.artifact_uri).log_artifacts(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        store.log_batch(run_id, tags=[RunTag(MODEL_HISTORY_TAG, json.dumps([meta]))])


def routes(ctx):
    from starlette.routing import Route

    return [Route(PATH, endpoint(PromptlabHandlers(ctx).create_promptlab_run), methods=["POST"])]
