"""The fourteen `mlf deployments` operations, shared by the CLI handlers and the MCP tools.

Each returns the text mlflow prints on success (or None) and raises MlfError otherwise: a
plugin's exception, a NotImplementedError for an operation a target lacks, and a remote
service's error all become one line.
"""

from runtime.deployments import payloads
from runtime.deployments.plugins import load_target, one_line
from runtime.errors import MlfError, UsageError


class _Session:
    """One command against one target: the checked plugin and, on demand, its client."""

    def __init__(self, target_uri):
        self.target_uri = target_uri
        self.target = load_target(target_uri)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.target.client(self.target_uri)
        return self._client

    def call(self, what, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MlfError:
            raise
        except NotImplementedError as exc:
            detail = f" ({one_line(exc)})" if str(exc) else ""
            raise MlfError(f'The "{self.target.name}" target does not support {what}{detail}',
                           "NOT_IMPLEMENTED") from None
        except Exception as exc:  # noqa: BLE001 - a plugin's or service's failure becomes one line
            raise MlfError(f'{what} failed on target "{self.target.name}": {type(exc).__name__}: '
                           f"{one_line(exc)}") from None

    def keywords(self, method, what, **optional):
        """Keyword arguments the method declares; a value given for one it lacks is refused."""
        kwargs = {}
        for name, value in optional.items():
            if _accepts(method, name):
                kwargs[name] = value
            elif value:
                flag = "-C" if name == "config" else f"--{name}"
                raise MlfError(f'The "{self.target.name}" target does not take {flag} for {what}')
        return kwargs

    def uses_json_inputs(self):
        return bool(getattr(self.target.client_class, "accepts_json_inputs", False))


def _accepts(method, name):
    """Whether a plugin method takes the keyword name (mlflow passes `endpoint`/`config` only then)."""
    code = getattr(getattr(method, "__func__", method), "__code__", None)
    if code is None or hasattr(method, "__wrapped__"):  # not plain Python, or a decorator's wrapper: ask inspect
        import inspect

        try:
            parameters = inspect.signature(method).parameters
        except (TypeError, ValueError):
            return True
        return name in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    var_keyword = 0x08  # CO_VARKEYWORDS
    return bool(code.co_flags & var_keyword) or name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _field(result, key, fallback):
    if isinstance(result, dict) and key in result:
        return result[key]
    return getattr(result, key, fallback)


def _as_mapping(description):
    """A description as key/value pairs: dicts, pydantic models and plain objects alike."""
    if description is None:
        return {}
    if hasattr(description, "items"):
        return dict(description.items())
    if hasattr(description, "model_dump"):
        return description.model_dump()
    if hasattr(description, "__dict__"):
        return {k: v for k, v in vars(description).items() if not k.startswith("_")}
    return {"value": description}


def _describe(description):
    lines = [f"{key}: {value}" for key, value in _as_mapping(description).items()]
    return "\n".join(lines + ["\n"])


def create(target, name, model_uri, flavor=None, config=(), endpoint=None):
    settings = payloads.parse_config(config)
    session = _Session(target)
    method = session.client.create_deployment
    kwargs = session.keywords(method, "create", endpoint=endpoint)
    result = session.call("create", method, name, model_uri, flavor=flavor, config=settings,
                          **kwargs)
    return f"\n{_field(result, 'flavor', flavor)} deployment {_field(result, 'name', name)} is created"


def update(target, name, model_uri=None, flavor=None, config=(), endpoint=None):
    settings = payloads.parse_config(config)
    session = _Session(target)
    method = session.client.update_deployment
    kwargs = session.keywords(method, "update", endpoint=endpoint)
    result = session.call("update", method, name, model_uri=model_uri, flavor=flavor,
                          config=settings, **kwargs)
    return f"Deployment {name} is updated (with flavor {_field(result, 'flavor', flavor)})"


def delete(target, name, config=(), endpoint=None):
    settings = payloads.parse_config(config)
    session = _Session(target)
    method = session.client.delete_deployment
    kwargs = session.keywords(method, "delete", endpoint=endpoint, config=settings)
    session.call("delete", method, name, **kwargs)
    return f"Deployment {name} is deleted"


def list_(target, endpoint=None):
    session = _Session(target)
    method = session.client.list_deployments
    deployments = session.call("list", method, **session.keywords(method, "list", endpoint=endpoint))
    return f"List of all deployments:\n{deployments!r}"


def get(target, name, endpoint=None):
    session = _Session(target)
    method = session.client.get_deployment
    description = session.call("get", method, name, **session.keywords(method, "get", endpoint=endpoint))
    return _describe(description)


def target_help(target):
    session = _Session(target)
    text = session.call("help", session.target.module.target_help)
    return "" if text is None else str(text)


def run_local(target, name, model_uri, flavor=None, config=()):
    """Returns what the plugin printed: captured, since under `mlf mcp run` stdout is the protocol's."""
    import contextlib
    import io

    settings = payloads.parse_config(config)
    session = _Session(target)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        session.call("run-local", session.target.module.run_local, name, model_uri, flavor, settings)
    return printed.getvalue().rstrip("\n") or None


def _scoring(what, target, name, endpoint, input_path, output_path):
    if (name is None) == (endpoint is None):
        raise UsageError("Must specify exactly one of --name or --endpoint.")
    inputs = payloads.read_input(input_path)
    session = _Session(target)
    inputs = payloads.as_scoring_payload(inputs) if session.uses_json_inputs() else payloads.as_dataframe(inputs)
    method = getattr(session.client, "predict" if what == "predict" else "explain")
    kwargs = session.keywords(method, what, endpoint=endpoint)
    result = session.call(what, method, name, inputs, **kwargs)
    return payloads.write_output(payloads.result_json(result), output_path)


def predict(target, input_path, name=None, endpoint=None, output_path=None):
    return _scoring("predict", target, name, endpoint, input_path, output_path)


def explain(target, input_path, name=None, endpoint=None, output_path=None):
    return _scoring("explain", target, name, endpoint, input_path, output_path)


def create_endpoint(target, endpoint, config=()):
    settings = payloads.parse_config(config)
    session = _Session(target)
    result = session.call("create-endpoint", session.client.create_endpoint, endpoint,
                          config=settings)
    return f"\nEndpoint {_field(result, 'name', endpoint)} is created"


def update_endpoint(target, endpoint, config=()):
    settings = payloads.parse_config(config)
    session = _Session(target)
    session.call("update-endpoint", session.client.update_endpoint, endpoint, config=settings)
    return f"\nEndpoint {endpoint} is updated"


def delete_endpoint(target, endpoint):
    session = _Session(target)
    session.call("delete-endpoint", session.client.delete_endpoint, endpoint)
    return f"\nEndpoint {endpoint} is deleted"


def list_endpoints(target):
    session = _Session(target)
    endpoints = session.call("list-endpoints", session.client.list_endpoints)
    return f"List of all endpoints:\n{endpoints!r}"


def get_endpoint(target, endpoint):
    session = _Session(target)
    return _describe(session.call("get-endpoint", session.client.get_endpoint, endpoint))
