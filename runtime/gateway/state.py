"""One loaded configuration with its provider instances: the unit the hot reload swaps.

Requests take the current GatewayState once at their start and use only it, so swapping the
reference to a new state never disturbs a request in flight.
"""

import random

from runtime.gateway.errors import GatewayError
from runtime.gateway.providers.base import KIND_OF_TYPE

_KIND_NAMES = {"chat": "a chat", "completions": "a completions", "embeddings": "an embeddings"}


class GatewayState:
    def __init__(self, config, providers):
        self.config = config
        self.endpoints = config.endpoints
        self.routes = config.routes
        self.providers = {name: providers.get(e.provider)(e) for name, e in config.endpoints.items()}

    def pick(self, name, rng=random):
        """(endpoint, provider) serving `name`: the endpoint itself, or a route's weighted choice."""
        if name in self.endpoints:
            return self.endpoints[name], self.providers[name]
        route = self.routes.get(name)
        if route is None:
            return None, None
        names = [n for n, _ in route.destinations]
        chosen = rng.choices(names, weights=[p for _, p in route.destinations])[0]
        return self.endpoints[chosen], self.providers[chosen]

    def kind_of(self, name):
        if name in self.endpoints:
            return KIND_OF_TYPE[self.endpoints[name].endpoint_type]
        if name in self.routes:
            return KIND_OF_TYPE[self.routes[name].task_type]
        return None

    def require_kind(self, name, kind):
        """For /v1/*: the named endpoint must exist and be of this kind (mlflow's 404 / 400 texts)."""
        found = self.kind_of(name)
        if found is None:
            raise GatewayError(404, f"The endpoint '{name}' is not present or active on the server. "
                                    "Please verify the endpoint name.")
        if found != kind:
            raise GatewayError(400, f"Endpoint {name!r} is not {_KIND_NAMES[kind]} endpoint.")
