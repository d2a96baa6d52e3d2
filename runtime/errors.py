"""Error types shared by the CLI, the stores and the server.

Each error carries an MLflow error code (the string the REST API sends in
``error_code``) and the process exit code the CLI uses for it.
"""

# MLflow error code -> HTTP status, as the tracking server answers them.
HTTP_STATUS = {
    "INVALID_PARAMETER_VALUE": 400,
    "BAD_REQUEST": 400,
    "INVALID_STATE": 400,
    "MALFORMED_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "NOT_IMPLEMENTED": 501,
    "INTERNAL_ERROR": 500,
    "TEMPORARILY_UNAVAILABLE": 503,
}


class MlfError(Exception):
    """A failure we can explain in one line. Exit code 1 unless a subclass says otherwise.

    An error about one input value names it in domain terms (``for_param``); each front end
    (CLI flags, MCP tool arguments) renames the parameter its own way with ``naming``.
    """

    exit_code = 1
    error_code = "INTERNAL_ERROR"
    param = None  # the parameter's python name, when the error is about one input value
    problem = None  # what is wrong with it, without its name

    def __init__(self, message, error_code=None):
        super().__init__(message)
        self.message = str(message)
        if error_code is not None:
            self.error_code = error_code

    @classmethod
    def for_param(cls, param, problem):
        """An error about the value of param: "backend config must hold a JSON object"."""
        error = cls(f"{param.replace('_', ' ')} {problem}")
        error.param, error.problem = param, problem
        return error

    def naming(self, name):
        """The message with the parameter called name (e.g. '--backend-config'); unchanged for other errors."""
        if self.param is None:
            return self.message
        return f"Invalid value for '{name}': {self.problem}"

    @property
    def http_status(self):
        return HTTP_STATUS.get(self.error_code, 500)

    def to_json(self):
        return {"error_code": self.error_code, "message": self.message}


class UsageError(MlfError):
    """The command line itself is wrong (unknown option, missing value...): exit 2."""

    exit_code = 2
    error_code = "INVALID_PARAMETER_VALUE"


class InvalidParameter(MlfError):
    error_code = "INVALID_PARAMETER_VALUE"


class NotFound(MlfError):
    error_code = "RESOURCE_DOES_NOT_EXIST"


class AlreadyExists(MlfError):
    error_code = "RESOURCE_ALREADY_EXISTS"


class InvalidState(MlfError):
    error_code = "INVALID_STATE"
