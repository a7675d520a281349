"""The domain's error family. No HTTP here: api/ maps each class to a status code."""


class SafemapError(Exception):
    """Base class: `message` is for the user, `detail` for the log."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.detail = detail


class InvalidInput(SafemapError):
    """Input that breaks a rule; `field` names what was wrong."""

    code = "invalid_input"

    def __init__(self, field: str, reason: str, *, rows: list[dict] | None = None) -> None:
        super().__init__(f"{field}: {reason}", field=field)
        self.reason = reason
        self.rows = rows or []


class NotFound(SafemapError):
    code = "not_found"


class Conflict(SafemapError):
    code = "conflict"


class Forbidden(SafemapError):
    code = "forbidden"


class Unauthorized(SafemapError):
    code = "unauthorized"


class DatabaseUnavailable(SafemapError):
    code = "database_unavailable"


class ClusterError(SafemapError):
    """The embedded PostgreSQL could not be set up or started."""

    code = "cluster_error"
