"""What can go wrong behind the gateway, in a sentence a user understands; the app maps each kind to a status."""


class GatewayError(Exception):
    """Base of the refusals and failures the gateway reports as a JSON error."""


class InvalidInput(GatewayError):
    """A field of the request is wrong (422); `problems` lists them field by field when known."""

    def __init__(self, message: str, problems: list[dict] | None = None):
        super().__init__(message)
        self.problems = problems or []


class Unauthenticated(GatewayError):
    """No valid access token, or wrong credentials (401)."""


class Forbidden(GatewayError):
    """The person sees the dossier but lacks the right for this (403)."""


class LinkInvalid(GatewayError):
    """An e-mailed link that is unknown, used or expired (410)."""


class TooManyAttempts(GatewayError):
    """Logins are locked for a while after too many failures (429)."""


class DocumentRefused(GatewayError):
    """The uploaded document cannot be taken in (400)."""


class UnsupportedMediaType(GatewayError):
    """The request or the document is of a type the platform does not take (415)."""


class TooLarge(GatewayError):
    """The upload passed the size limit (413)."""


class NotFound(GatewayError):
    """What the request names does not exist (404)."""


class AlreadyExists(GatewayError):
    """The request would make a second copy of something unique (409)."""

    def __init__(self, message: str, details: dict[str, str] | None = None):
        super().__init__(message)
        self.details = details or {}


class Conflict(GatewayError):
    """The request does not fit the current state of what it names, e.g. a task already closed (409)."""


class BackendUnavailable(GatewayError):
    """A backend service is down or did not answer in time (503)."""


class BackendFailed(GatewayError):
    """A backend service answered with an error the gateway did not expect (502)."""
