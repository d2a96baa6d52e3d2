"""Load and check a gateway configuration file (mlflow's YAML format, mlflow's messages).

The result is plain frozen data: endpoints by name (with API keys already resolved) and
traffic routes by name. A GatewayConfigError carries the one line a user sees.
"""

import os
import re
from dataclasses import dataclass, field

ENDPOINT_TYPES = ("llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings")
RENEWAL_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000, "year": 31536000}
_NAME = re.compile(r"[\w\-.]+")


class GatewayConfigError(ValueError):
    """A configuration the gateway refuses; str(error) is the user-facing message."""


@dataclass(frozen=True)
class Limit:
    calls: int
    renewal_period: str
    key: str | None = None

    @property
    def seconds(self):
        return RENEWAL_PERIODS[self.renewal_period]

    def to_json(self):
        return {"calls": self.calls, "key": self.key, "renewal_period": self.renewal_period}


@dataclass(frozen=True)
class Endpoint:
    name: str
    endpoint_type: str
    provider: str
    model_name: str | None
    config: dict = field(repr=False)  # resolved: holds the real keys, never logged
    limit: Limit | None = None

    def to_json(self, url_base="/gateway/"):
        return {
            "name": self.name,
            "endpoint_type": self.endpoint_type,
            "model": {"name": self.model_name, "provider": self.provider},
            "endpoint_url": f"{url_base}{self.name}/invocations",
            "limit": self.limit.to_json() if self.limit else None,
        }

    def to_legacy_json(self):
        data = self.to_json()
        data["route_type"] = data.pop("endpoint_type")
        data["route_url"] = data.pop("endpoint_url")
        return {k: data[k] for k in ("name", "route_type", "model", "route_url", "limit")}


@dataclass(frozen=True)
class Route:
    name: str
    task_type: str
    destinations: tuple  # ((endpoint name, traffic percentage), ...)
    routing_strategy: str = "TRAFFIC_SPLIT"

    def to_json(self):
        return {
            "name": self.name,
            "task_type": self.task_type,
            "destinations": [{"name": n, "traffic_percentage": p} for n, p in self.destinations],
            "routing_strategy": self.routing_strategy,
        }


@dataclass(frozen=True)
class GatewayConfig:
    endpoints: dict  # name -> Endpoint, in file order
    routes: dict  # name -> Route


def read_config_file(path, environ=None, providers=None):
    """Parse and validate the file at path; raises GatewayConfigError with mlflow's wording."""
    if not os.path.exists(path):
        raise GatewayConfigError(f"{path} does not exist")
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise GatewayConfigError(f"The file at {path} is not a valid yaml file") from None
    return parse_config(document, os.environ if environ is None else environ, providers)


def parse_config(document, environ, providers=None):
    from runtime.gateway.providers import registry

    providers = providers or registry(environ)
    if not isinstance(document, dict):
        raise GatewayConfigError("The gateway configuration is invalid: the file must hold a mapping with 'endpoints'.")
    raw_endpoints = document.get("endpoints")
    if raw_endpoints is None:
        raise GatewayConfigError("The gateway configuration is invalid: 'endpoints' is required.")
    if not isinstance(raw_endpoints, list):
        raise GatewayConfigError("The gateway configuration is invalid: 'endpoints' must be a list.")
    raw_routes = document.get("routes") or []
    if not isinstance(raw_routes, list):
        raise GatewayConfigError("The gateway configuration is invalid: 'routes' must be a list.")
    for entry in raw_endpoints:
        if isinstance(entry, dict) and "route_type" in entry:
            raise GatewayConfigError(
                "The 'route_type' configuration key is not supported in the configuration file. "
                "Use 'endpoint_type' instead."
            )
    names = [e.get("name") for e in raw_endpoints + raw_routes if isinstance(e, dict)]
    if len(names) != len(set(names)):
        raise GatewayConfigError(
            "Duplicate names found in endpoint / route configurations. Please remove the duplicate "
            "endpoint / route name from the configuration to ensure that endpoints / routes are created properly."
        )
    endpoints = {}
    for entry in raw_endpoints:
        endpoint = _parse_endpoint(entry, environ, providers)
        endpoints[endpoint.name] = endpoint
    routes = {}
    for entry in raw_routes:
        route = _parse_route(entry, endpoints)
        routes[route.name] = route
    return GatewayConfig(endpoints=endpoints, routes=routes)


def _invalid(where, message):
    return GatewayConfigError(f"The gateway configuration is invalid: {where}: {message}")


def check_name(name):
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise GatewayConfigError(
            "The route name provided contains disallowed characters for a url endpoint. "
            f"'{name}' is invalid. Names cannot contain spaces or any non alphanumeric characters "
            "other than hyphen and underscore."
        )


def _parse_endpoint(entry, environ, providers):
    if not isinstance(entry, dict):
        raise GatewayConfigError("The gateway configuration is invalid: each endpoint must be a mapping.")
    for key in ("name", "endpoint_type", "model"):
        if key not in entry:
            raise _invalid(f"endpoint {entry.get('name', '?')!r}", f"'{key}' is required")
    unknown = set(entry) - {"name", "endpoint_type", "model", "limit"}
    if unknown:
        raise _invalid(f"endpoint {entry['name']!r}", f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    name = entry["name"]
    check_name(name)
    endpoint_type = entry["endpoint_type"]
    if endpoint_type not in ENDPOINT_TYPES:
        raise GatewayConfigError(f"The route_type '{endpoint_type}' is not supported.")
    model = entry["model"]
    if not isinstance(model, dict) or "provider" not in model:
        raise GatewayConfigError("A provider must be provided for each gateway route.")
    provider_name = providers.canonical_name(model["provider"])
    provider_class = providers.get(provider_name)
    raw_config = model.get("config")
    if raw_config is None and providers.is_builtin(provider_name):
        raise GatewayConfigError(
            f"A config must be supplied when setting a provider. The provider entry for {provider_name} is incorrect."
        )
    if raw_config is not None and not isinstance(raw_config, dict):
        raise _invalid(f"endpoint {name!r}", "model.config must be a mapping")
    model_name = model.get("name")
    try:
        config = provider_class.check_config(dict(raw_config or {}), endpoint_type, model_name)
        config = resolve_secrets(config, provider_class.SECRET_KEYS, environ)
    except GatewayConfigError:
        raise
    except ValueError as exc:
        raise _invalid(f"endpoint {name!r}", str(exc)) from None
    return Endpoint(name, endpoint_type, provider_name, model_name, config, _parse_limit(entry.get("limit")))


def _parse_limit(raw):
    if not raw:
        return None
    message = (
        "Failed to parse the rate limit configuration. Please make sure limit.calls is a positive number "
        "and limit.renewal_period is a right granularity"
    )
    if not isinstance(raw, dict):
        raise GatewayConfigError(message)
    calls, period = raw.get("calls"), raw.get("renewal_period")
    if isinstance(calls, bool) or not isinstance(calls, int) or calls < 1 or period not in RENEWAL_PERIODS:
        raise GatewayConfigError(message)
    return Limit(calls=calls, renewal_period=period, key=raw.get("key"))


def _parse_route(entry, endpoints):
    if not isinstance(entry, dict):
        raise GatewayConfigError("The gateway configuration is invalid: each route must be a mapping.")
    for key in ("name", "task_type", "destinations"):
        if key not in entry:
            raise _invalid(f"route {entry.get('name', '?')!r}", f"'{key}' is required")
    name, task_type = entry["name"], entry["task_type"]
    check_name(name)
    if task_type not in ENDPOINT_TYPES:
        raise GatewayConfigError(f"The route_type '{task_type}' is not supported.")
    strategy = entry.get("routing_strategy", "TRAFFIC_SPLIT")
    if strategy != "TRAFFIC_SPLIT":
        raise _invalid(f"route {name!r}", f"routing_strategy must be 'TRAFFIC_SPLIT', got {strategy!r}")
    destinations = []
    for destination in entry["destinations"] or []:
        target = destination.get("name") if isinstance(destination, dict) else None
        percentage = destination.get("traffic_percentage") if isinstance(destination, dict) else None
        if target not in endpoints:
            raise GatewayConfigError(
                "The route destination name must be a endpoint name, "
                f"but the route '{name}' has an invalid destination name '{target}'."
            )
        if endpoints[target].endpoint_type != task_type:
            raise GatewayConfigError(
                f"The route destination endpoint types in the route '{name}' must have endpoint type "
                f"'{task_type}' but got endpoint type '{endpoints[target].endpoint_type}'."
            )
        if isinstance(percentage, bool) or not isinstance(percentage, int) or not 0 <= percentage <= 100:
            raise GatewayConfigError("The route destination traffic percentage must between 0 and 100.")
        destinations.append((target, percentage))
    if sum(p for _, p in destinations) != 100:
        raise GatewayConfigError(
            "For each route configuration, the traffic percentage sum of destinations "
            f"must be 100, but got invalid configuration of route '{name}'."
        )
    return Route(name, task_type, tuple(destinations), strategy)


def resolve_secrets(config, secret_keys, environ):
    """Resolve every secret field: "$VAR" from the environment, an existing file's text, else the literal."""
    resolved = dict(config)
    for key, value in config.items():
        if isinstance(value, dict):
            resolved[key] = resolve_secrets(value, secret_keys, environ)
        elif key in secret_keys and value is not None:
            resolved[key] = resolve_secret(value, environ)
    return resolved


def resolve_secret(value, environ):
    if not isinstance(value, str):
        raise GatewayConfigError(
            "The api key provided is not a string. Please provide either an environment variable key, "
            "a path to a file containing the api key, or the api key itself"
        )
    if value.startswith("$"):
        name = value[1:]
        if not environ.get(name):
            raise GatewayConfigError(f"Environment variable {name!r} is not set")
        return environ[name]
    try:
        if os.path.isfile(value):
            with open(value, encoding="utf-8") as handle:
                return handle.read().strip()
    except (OSError, ValueError):  # a key too long to be a file name
        pass
    return value
