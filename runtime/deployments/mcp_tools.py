"""The deployment commands as MCP tools of `mlf mcp run`, under mlflow's tool names.

Each tool runs the same operation as the CLI command and returns the text the command prints.
Whatever a plugin prints is captured into the result: on the stdio transport, stdout belongs
to the protocol.
"""

import contextlib
import io


def _captured(operation, *args):
    from runtime.deployments import commands

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        text = getattr(commands, operation)(*args)
    return "".join(part for part in (printed.getvalue(), text or "") if part)


def register(tool):
    """Add the deployment tools through tool(), the server's decorator factory."""

    @tool()
    def create_deployment(target: str, name: str, model_uri: str, flavor: str | None = None,
                          config: list[str] | None = None, endpoint: str | None = None) -> str:
        """Deploy a model to a deployment target (-t). config holds target settings as 'key=value' strings."""
        return _captured("create", target, name, model_uri, flavor, config or [], endpoint)

    @tool()
    def update_deployment(target: str, name: str, model_uri: str | None = None, flavor: str | None = None,
                          config: list[str] | None = None, endpoint: str | None = None) -> str:
        """Update a deployment's model, flavor or settings."""
        return _captured("update", target, name, model_uri, flavor, config or [], endpoint)

    @tool()
    def delete_deployment(target: str, name: str, config: list[str] | None = None,
                          endpoint: str | None = None) -> str:
        """Delete a deployment."""
        return _captured("delete", target, name, config or [], endpoint)

    @tool()
    def list_deployments(target: str, endpoint: str | None = None) -> str:
        """List the deployments of a target."""
        return _captured("list_", target, endpoint)

    @tool()
    def get_deployment(target: str, name: str, endpoint: str | None = None) -> str:
        """Describe one deployment."""
        return _captured("get", target, name, endpoint)

    @tool()
    def run_deployment_locally(target: str, name: str, model_uri: str, flavor: str | None = None,
                               config: list[str] | None = None) -> str:
        """Run a model locally the way the target would serve it (where the target supports it)."""
        return _captured("run_local", target, name, model_uri, flavor, config or [])

    @tool()
    def predict_with_deployment(target: str, input_path: str, name: str | None = None, endpoint: str | None = None,
                                output_path: str | None = None) -> str:
        """Score a JSON or CSV file with a deployment (name) or an endpoint, exactly one; returns JSON."""
        return _captured("predict", target, input_path, name, endpoint, output_path)

    @tool()
    def explain_deployment(target: str, input_path: str, name: str | None = None, endpoint: str | None = None,
                           output_path: str | None = None) -> str:
        """Explain a deployment's predictions for a JSON or CSV file; returns JSON."""
        return _captured("explain", target, input_path, name, endpoint, output_path)

    @tool()
    def create_deployment_endpoint(target: str, endpoint: str, config: list[str] | None = None) -> str:
        """Create an endpoint on a target."""
        return _captured("create_endpoint", target, endpoint, config or [])

    @tool()
    def update_deployment_endpoint(target: str, endpoint: str, config: list[str] | None = None) -> str:
        """Change the settings of an endpoint."""
        return _captured("update_endpoint", target, endpoint, config or [])

    @tool()
    def delete_deployment_endpoint(target: str, endpoint: str) -> str:
        """Delete an endpoint."""
        return _captured("delete_endpoint", target, endpoint)

    @tool()
    def list_deployment_endpoints(target: str) -> str:
        """List the endpoints of a target."""
        return _captured("list_endpoints", target)

    @tool()
    def get_deployment_endpoint(target: str, endpoint: str) -> str:
        """Describe one endpoint."""
        return _captured("get_endpoint", target, endpoint)
