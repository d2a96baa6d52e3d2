"""/graphql: the GraphQL queries MLflow's web UI sends (run, experiment, search runs, metric
history bulk interval, list artifacts, search datasets, search model versions).

graphql-core parses, validates and executes against the schema in graphql_schema.py;
every root field is answered by the same handler as its REST endpoint, so values,
validation and error messages are the REST API's. Answers are always 200 with
``{"data": ..., "errors": [message, ...] | null}``, as MLflow's server sends them:
a failed root field is null and its message is listed. As in MLflow, a request may
hold at most MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS root fields and
MLFLOW_SERVER_GRAPHQL_MAX_ALIASES aliases at one level (10 each by default), and
nest at most 10 levels and 1,000 selections. Non-finite metric values are null.
"""

import logging
import math
import os

from runtime.errors import InvalidParameter, MlfError
from runtime.server.routing import error_response, internal_error_response, json_response, read_json_body
from runtime.wire.json_body import decode_json

log = logging.getLogger("mlf.server")

MAX_DEPTH = 10
MAX_SELECTIONS = 1000
ROOT_FIELDS_ENV = "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS"
ALIASES_ENV = "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES"
DEFAULT_LIMIT = 10


def snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _snake_keys(value):
    """GraphQL input (camelCase keys) -> the REST handlers' request dict; nulls dropped."""
    if isinstance(value, dict):
        return {snake(k): _snake_keys(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


# ---- request limits ---------------------------------------------------------------
def _limit(name):
    try:
        return int(os.environ.get(name) or DEFAULT_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT


def _level_fields(selection_set, fragments, visited):
    """The fields selected at one level (fragments merged in) and how many carry an alias."""
    from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode

    fields, aliases, pending, visited = [], 0, list(selection_set.selections), set(visited)
    while pending:
        node = pending.pop()
        if isinstance(node, FieldNode):
            fields.append(node)
            aliases += node.alias is not None
        elif isinstance(node, InlineFragmentNode) and node.selection_set:
            pending.extend(node.selection_set.selections)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in visited:
            visited.add(node.name.value)
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                pending.extend(fragment.selection_set.selections)
    return fields, aliases, frozenset(visited)


def check_limits(document):
    """None when the document is within the limits, else the message naming the first one it breaks."""
    from graphql.language import FragmentDefinitionNode, OperationDefinitionNode

    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root_fields = most_aliases = selections = 0
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        stack = [(operation.selection_set, 1, frozenset())]
        while stack:
            selection_set, depth, visited = stack.pop()
            if depth > MAX_DEPTH:
                return f"Query exceeds maximum depth of {MAX_DEPTH}"
            fields, aliases, visited = _level_fields(selection_set, fragments, visited)
            most_aliases = max(most_aliases, aliases)
            for field in fields:
                root_fields += depth == 1
                selections += 1
                if selections > MAX_SELECTIONS:
                    return f"Query exceeds maximum total selections of {MAX_SELECTIONS}"
                if field.selection_set:
                    stack.append((field.selection_set, depth + 1, visited))
    for count, what, env in ((root_fields, "root fields", ROOT_FIELDS_ENV), (most_aliases, "aliases", ALIASES_ENV)):
        limit = _limit(env)
        if count > limit:
            return (f"GraphQL queries should have at most {limit} {what}, got {count} {what}. "
                    f"To increase the limit, set the {env} environment variable.")
    return None


# ---- resolution -------------------------------------------------------------------
def _proto_default(graphql_type):
    """What a protobuf message answers for a field it does not hold (MLflow's resolvers read protos)."""
    from graphql import GraphQLEnumType, GraphQLList, GraphQLObjectType, get_nullable_type

    kind = get_nullable_type(graphql_type)
    if isinstance(kind, GraphQLList):
        return []
    if isinstance(kind, GraphQLObjectType):
        return {}
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    return {"String": "", "LongString": 0, "Int": 0, "Float": 0.0, "Boolean": False}.get(kind.name)


class Resolver:
    """Answers root fields with the REST handlers and reads their wire dicts for the rest."""

    def __init__(self, ctx):
        from runtime.server.routes_registry import RegistryHandlers
        from runtime.server.routes_tracking import TrackingHandlers

        self.ctx = ctx
        self.tracking = TrackingHandlers(ctx)
        self.registry = RegistryHandlers(ctx)
        self.roots = {
            "mlflowGetExperiment": lambda body: self.tracking.get_experiment(body, None),
            "mlflowGetRun": lambda body: self.tracking.get_run(body, None),
            "mlflowSearchRuns": lambda body: self.tracking.search_runs(body, None),
            "mlflowGetMetricHistoryBulkInterval": lambda body: self.tracking.get_metric_history_bulk_interval(body, None),
            "mlflowListArtifacts": lambda body: self.tracking.list_artifacts(body, None),
            "mlflowSearchModelVersions": lambda body: self.registry.search_model_versions(body, None),
            "mlflowSearchDatasets": self.search_datasets,
        }

    def search_datasets(self, body):
        from runtime.server.routes_ui import search_dataset_summaries

        summaries = search_dataset_summaries(self.tracking.store, body.get("experiment_ids"))
        return {"dataset_summaries": summaries}

    def __call__(self, source, info, **args):
        from graphql import GraphQLError

        try:
            if info.parent_type.name in ("Query", "Mutation"):
                return self._root(info.field_name, args)
            if info.parent_type.name == "MlflowRunExtension" and info.field_name in ("experiment", "modelVersions"):
                return self._run_extension(source, info.field_name)
        except MlfError as exc:
            raise GraphQLError(exc.message) from None
        except Exception:  # noqa: BLE001 - never send a traceback or server path to the client
            log.exception("GraphQL field %s failed", info.field_name)
            raise GraphQLError(f"Internal error while resolving '{info.field_name}'") from None
        if info.field_name == "apiError":
            return None
        value = source.get(snake(info.field_name), None) if isinstance(source, dict) else None
        if value is None:
            return _proto_default(info.return_type)
        if isinstance(value, float) and not math.isfinite(value):
            return None  # GraphQL's Float has no NaN or infinity
        return value

    def _root(self, name, args):
        if name in ("test", "testMutation"):
            return {"output": args.get("inputString")}
        return self.roots[name](_snake_keys(args.get("input") or {}))

    def _run_extension(self, run, name):
        info = run.get("info") or {}
        if name == "experiment":
            return self.tracking.get_experiment({"experiment_id": info.get("experiment_id")}, None)["experiment"]
        found = self.registry.search_model_versions({"filter": f"run_id='{info.get('run_id')}'"}, None)
        return found.get("model_versions", [])


def execute(resolver, query, variables=None, operation_name=None):
    """{"data": ..., "errors": [message, ...] | None} for one GraphQL request."""
    from graphql import GraphQLError, execute as run, parse, validate

    from runtime.server.graphql_schema import schema

    try:
        document = parse(query)
    except GraphQLError as exc:
        return {"data": None, "errors": [exc.message]}
    problem = check_limits(document)
    if problem:
        return {"data": None, "errors": [problem]}
    errors = validate(schema(), document)
    if errors:
        return {"data": None, "errors": [e.message for e in errors]}
    result = run(schema(), document, variable_values=variables, operation_name=operation_name,
                 field_resolver=resolver)
    return {"data": result.data, "errors": [e.message for e in result.errors] if result.errors else None}


async def _request_fields(request):
    if request.method == "GET":
        params = request.query_params
        variables = params.get("variables")
        if variables:
            variables = decode_json(variables, "value for parameter 'variables'")
        return params.get("query"), variables, params.get("operationName")
    body = await read_json_body(request)
    return body.get("query"), body.get("variables"), body.get("operationName")


def routes(ctx):
    from starlette.concurrency import run_in_threadpool
    from starlette.routing import Route

    resolvers = []

    async def graphql(request):
        try:
            query, variables, operation_name = await _request_fields(request)
            if not isinstance(query, str) or not query.strip():
                raise InvalidParameter("Missing value for required parameter 'query'.")
            if variables is not None and not isinstance(variables, dict):
                raise InvalidParameter("Invalid value for parameter 'variables': expected a JSON object")
            if not resolvers:
                resolvers.append(Resolver(ctx))
            answer = await run_in_threadpool(execute, resolvers[0], query, variables, operation_name)
        except MlfError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - answer in MLflow's error format
            return internal_error_response(exc)
        return json_response(answer)

    return [Route("/graphql", graphql, methods=["GET", "POST"])]
