"""The write routes of the DB-backed gateway's REST API (mlflow's paths and field names):
endpoints create/update/delete, model attach/detach, endpoint tags and bindings, model
definitions create/update/delete, and budget policies. Enums come as names or as their
protobuf numbers, as mlflow's JSON parser accepts both.
"""

from starlette.routing import Route

from runtime.errors import InvalidParameter
from runtime.gateway import db_writes as W
from runtime.gateway.server_common import API, crud_route, gateway_store, string_param

ENUM_NUMBERS = {
    "linkage_type": W.LINKAGE_TYPES, "routing_strategy": W.ROUTING_STRATEGIES, "strategy": W.FALLBACK_STRATEGIES,
    "budget_unit": W.BUDGET_UNITS, "unit": W.DURATION_UNITS, "target_scope": W.TARGET_SCOPES,
    "budget_action": W.BUDGET_ACTIONS,
}


def _enum(params, name, required=False, default=None):
    value, names = params.get(name), ENUM_NUMBERS[name]
    if value is None or value == "":
        if required:
            raise InvalidParameter(f"Missing value for required parameter '{name}'.")
        return default
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(names):
        return names[value - 1]
    if value in names:
        return value
    raise InvalidParameter(f"Invalid value {value!r} for parameter '{name}': expected one of {', '.join(names)}.")


def _number(params, name, kind=float, required=False):
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidParameter(f"Missing value for required parameter '{name}'.")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidParameter(f"Invalid value for parameter '{name}': expected a number.")
    try:
        number = kind(value)
    except ValueError:
        raise InvalidParameter(f"Invalid value for parameter '{name}': expected a number.") from None
    if kind is int and number != float(value):
        raise InvalidParameter(f"Invalid value for parameter '{name}': expected an integer.")
    return number


def _bool(params, name):
    value = params.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise InvalidParameter(f"Invalid value for parameter '{name}': expected true or false.")


def _message(params, name):
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidParameter(f"Invalid value for parameter '{name}': expected an object.")
    return value


def _model_config(value):
    if not isinstance(value, dict):
        raise InvalidParameter("Invalid value for parameter 'model_configs': expected objects.")
    config = {"model_definition_id": string_param(value, "model_definition_id", required=True),
              "linkage_type": _enum(value, "linkage_type", default="PRIMARY"),
              "weight": _number(value, "weight"), "fallback_order": _number(value, "fallback_order", int)}
    if config["weight"] is None:
        config["weight"] = 1.0
    if config["weight"] < 0:
        raise InvalidParameter("Invalid value for parameter 'weight': it must not be negative.")
    return config


def _model_configs(params, required):
    value = params.get("model_configs")
    if value is None and not required:
        return None
    if not isinstance(value, list):
        raise InvalidParameter("Invalid value for parameter 'model_configs': expected a list.")
    return [_model_config(v) for v in value]


def _fallback(params):
    value = _message(params, "fallback_config")
    if value is None:
        return None
    return {"strategy": _enum(value, "strategy"), "max_attempts": _number(value, "max_attempts", int)}


def _experiment_id(params):
    value = params.get("experiment_id")
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"Invalid value {value!r} for parameter 'experiment_id': expected an integer id.") from None


def _budget_fields(params, required):
    fields = {"budget_unit": _enum(params, "budget_unit", required), "budget_amount": _number(params, "budget_amount",
                                                                                                required=required),
              "target_scope": _enum(params, "target_scope", required), "budget_action": _enum(params, "budget_action", required),
              "target_value": string_param(params, "target_value")}
    if fields["budget_amount"] is not None and fields["budget_amount"] < 0:
        raise InvalidParameter("Invalid value for parameter 'budget_amount': it must not be negative.")
    duration = _message(params, "duration")
    if duration is None and required:
        raise InvalidParameter("Missing value for required parameter 'duration'.")
    if duration is not None:
        fields["duration_unit"] = _enum(duration, "unit", required=True)
        fields["duration_value"] = _number(duration, "value", int, required=True)
        if fields["duration_value"] <= 0:
            raise InvalidParameter("Invalid value for parameter 'duration.value': it must be positive.")
    if fields["target_scope"] in ("ENDPOINT", "USER") and not fields["target_value"]:
        raise InvalidParameter(f"A {fields['target_scope']} budget needs 'target_value'.")
    return {k: v for k, v in fields.items() if v is not None}


def _page(params):
    max_results = _number(params, "max_results", int) or 100
    token = params.get("page_token") or "0"
    if not str(token).isdigit() or max_results <= 0:
        raise InvalidParameter("Invalid page_token or max_results.")
    return max_results, int(token)


def routes(ctx):
    def writer():
        return W.GatewayWriter(gateway_store(ctx))

    def tracking_experiment(name, endpoint_id):
        """The endpoint's usage-tracking experiment, made (or found) as mlflow does."""
        from runtime.errors import AlreadyExists

        store, experiment_name = ctx.tracking_store, f"gateway/{name}"
        try:
            return store.create_experiment(experiment_name, tags={
                "mlflow.experiment.sourceType": "GATEWAY", "mlflow.experiment.sourceId": endpoint_id,
                "mlflow.experiment.isGateway": "true"})
        except AlreadyExists:
            return store.get_experiment_by_name(experiment_name).experiment_id

    def create_endpoint(p):
        return {"endpoint": writer().create_endpoint(
            string_param(p, "name", required=True), _model_configs(p, required=True), string_param(p, "created_by"),
            _enum(p, "routing_strategy"), _fallback(p), _experiment_id(p), _bool(p, "usage_tracking") or False,
            tracking_experiment)}

    def update_endpoint(p):
        return {"endpoint": writer().update_endpoint(
            string_param(p, "endpoint_id", required=True), string_param(p, "name"), string_param(p, "updated_by"),
            _model_configs(p, required=False), _enum(p, "routing_strategy"), _fallback(p), _experiment_id(p),
            _bool(p, "usage_tracking"))}

    def delete_endpoint(p):
        writer().delete_endpoint(string_param(p, "endpoint_id", required=True))
        return {}

    def attach(p):
        config = _message(p, "model_config")
        if config is None:
            raise InvalidParameter("Missing value for required parameter 'model_config'.")
        return {"mapping": writer().attach_model(string_param(p, "endpoint_id", required=True), _model_config(config),
                                                 string_param(p, "created_by"))}

    def detach(p):
        writer().detach_model(string_param(p, "endpoint_id", required=True), string_param(p, "model_definition_id", required=True))
        return {}

    def set_tag(p):
        writer().set_tag(string_param(p, "endpoint_id", required=True), string_param(p, "key", required=True), string_param(p, "value"))
        return {}

    def delete_tag(p):
        writer().delete_tag(string_param(p, "endpoint_id", required=True), string_param(p, "key", required=True))
        return {}

    def binding_key(p):
        return [string_param(p, n, required=True) for n in ("endpoint_id", "resource_type", "resource_id")]

    def create_binding(p):
        return {"binding": writer().create_binding(*binding_key(p), string_param(p, "created_by"))}

    def delete_binding(p):
        writer().delete_binding(*binding_key(p))
        return {}

    def list_bindings(p):
        return {"bindings": writer().list_bindings(p.get("endpoint_id"), p.get("resource_type"), p.get("resource_id"))}

    def create_definition(p):
        return {"model_definition": writer().create_model_definition(
            string_param(p, "name", required=True), string_param(p, "secret_id", required=True), string_param(p, "provider", required=True),
            string_param(p, "model_name", required=True), string_param(p, "created_by"))}

    def update_definition(p):
        return {"model_definition": writer().update_model_definition(
            string_param(p, "model_definition_id", required=True), string_param(p, "updated_by"), name=string_param(p, "name"),
            secret_id=string_param(p, "secret_id"), model_name=string_param(p, "model_name"), provider=string_param(p, "provider"))}

    def delete_definition(p):
        writer().delete_model_definition(string_param(p, "model_definition_id", required=True))
        return {}

    def create_budget(p):
        return {"budget_policy": writer().create_budget(_budget_fields(p, required=True), string_param(p, "created_by"))}

    def update_budget(p):
        return {"budget_policy": writer().update_budget(string_param(p, "budget_policy_id", required=True),
                                                        _budget_fields(p, required=False), string_param(p, "updated_by"))}

    def delete_budget(p):
        writer().delete_budget(string_param(p, "budget_policy_id", required=True))
        return {}

    def get_budget(p):
        return {"budget_policy": writer().get_budget(string_param(p, "budget_policy_id", required=True))}

    def list_budgets(p):
        max_results, offset = _page(p)
        policies, more = writer().list_budgets(max_results, offset)
        return {"budget_policies": policies, **({"next_page_token": str(offset + max_results)} if more else {})}

    post, delete, get = ["POST"], ["DELETE"], ["GET"]
    table = [
        ("endpoints/create", create_endpoint, post), ("endpoints/update", update_endpoint, post),
        ("endpoints/delete", delete_endpoint, delete), ("endpoints/models/attach", attach, post),
        ("endpoints/models/detach", detach, post), ("endpoints/set-tag", set_tag, post),
        ("endpoints/delete-tag", delete_tag, delete), ("endpoints/bindings/create", create_binding, post),
        ("endpoints/bindings/delete", delete_binding, delete), ("endpoints/bindings/list", list_bindings, get),
        ("model-definitions/create", create_definition, post), ("model-definitions/update", update_definition, post),
        ("model-definitions/delete", delete_definition, delete), ("budgets/create", create_budget, post),
        ("budgets/update", update_budget, post), ("budgets/delete", delete_budget, delete),
        ("budgets/get", get_budget, get), ("budgets/list", list_budgets, get),
    ]
    return [Route(f"{API}/{path}", crud_route(handler, body=methods != get), methods=methods)
            for path, handler, methods in table]
