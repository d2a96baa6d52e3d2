"""The error an invocation answers with: an HTTP status and mlflow's `{"detail": ...}` body."""


class GatewayError(Exception):
    def __init__(self, status_code, detail):
        super().__init__(detail if isinstance(detail, str) else repr(detail))
        self.status_code = status_code
        self.detail = detail
