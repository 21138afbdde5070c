"""The error hierarchy of streetrelief.

Every error a user can cause carries a stable machine-readable ``code`` and an HTTP status;
the API turns them into RFC 9457 problem details in one place and the CLI prints them.
"""

from __future__ import annotations

from typing import ClassVar


class StreetReliefError(Exception):
    """Base of every error streetrelief raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInputError(StreetReliefError):
    """Input that is well-formed but not acceptable (out of range, inconsistent)."""

    code = "invalid_input"
    status = 422
    title = "Invalid input"


class NotFoundError(StreetReliefError):
    """A record that the request names does not exist."""

    code = "not_found"
    status = 404
    title = "Not found"


class ConflictError(StreetReliefError):
    """The request clashes with the current state of a record."""

    code = "conflict"
    status = 409
    title = "Conflict"


class UnknownRegionError(InvalidInputError):
    """A region code that is not in the region tree."""

    code = "unknown_region"


class IdempotencyKeyReusedError(ConflictError):
    """The same Idempotency-Key arrived with a different body."""

    code = "idempotency_key_reused"
    status = 422
    title = "Idempotency key reused with another body"


class IllegalTransitionError(ConflictError):
    """An incident or team status change that its lifecycle does not allow."""

    code = "illegal_transition"


class TeamUnavailableError(ConflictError):
    """A team that cannot take an assignment in its current status."""

    code = "team_unavailable"


class PolicyError(InvalidInputError):
    """A policy file that does not validate."""

    code = "invalid_policy"


class ImportFileError(InvalidInputError):
    """A malformed import file; ``line`` names where it went wrong."""

    code = "invalid_import_file"

    def __init__(self, detail: str, *, line: int | None = None, path: str | None = None) -> None:
        where = f"{path or 'input'}" + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {detail}", line=line, path=path)
        self.line = line


class CapParseError(InvalidInputError):
    """A CAP alert message that is unsafe, malformed, schema-invalid or not CAP 1.2 at all."""

    code = "invalid_cap_message"
    title = "Invalid CAP message"

    def __init__(self, detail: str, *, source: str) -> None:
        super().__init__(f"{source}: {detail}", source=source)
        self.source = source


class ResponseNotConfiguredError(ConflictError):
    """A region asked to decide its own response level without a response policy of its own."""

    code = "response_not_configured"


class AuthenticationError(StreetReliefError):
    """No valid credentials: a missing, wrong, expired or revoked password, token or key.

    The detail never says which of these it was, so a caller cannot probe accounts or keys.
    """

    status = 401
    code = "not_authenticated"
    title = "Not signed in"


class PermissionDeniedError(StreetReliefError):
    """Valid credentials whose role does not allow the action."""

    status = 403
    code = "forbidden"
    title = "Not allowed"


class DataKeyError(StreetReliefError):
    """No usable encryption key for personal data (see ``STREETRELIEF_DATA_KEYS``)."""

    status = 503
    code = "data_key_unavailable"
    title = "Personal data cannot be protected"


class ShiftOverlapError(ConflictError):
    """A person who would be on two shifts at once."""

    code = "shift_overlap"


class TaskClosedError(ConflictError):
    """A response task or a revisit that is done or cancelled and so cannot be acknowledged,
    completed or cancelled."""

    code = "task_closed"


class UnknownChannelError(NotFoundError):
    """A notification channel name or id that does not exist."""

    code = "unknown_channel"


class ChannelConfigError(InvalidInputError):
    """A notification channel whose kind, address or settings cannot be used."""

    code = "invalid_channel"


class DeliveryStateError(ConflictError):
    """A delivery asked to do what its status does not allow (e.g. re-queue a sent one)."""

    code = "delivery_state"


class DeliveryFailedError(StreetReliefError):
    """A receiver (webhook, chat robot, SMTP server) did not accept a notification.

    ``reason`` says why in one line: the HTTP status, the robot's error code and message, the
    SMTP reply, a timeout or a refused connection. Status 424: the request was fine, the
    receiver it depends on failed.
    """

    code = "delivery_failed"
    status = 424
    title = "Notification not delivered"

    def __init__(self, reason: str, *, status_code: int | None = None) -> None:
        super().__init__(reason, status_code=status_code)
        self.reason = reason
        self.status_code = status_code


class SignatureInvalidError(AuthenticationError):
    """A signed request whose signature does not match its body, or whose timestamp is stale."""

    code = "invalid_signature"
    title = "Invalid signature"


class FeedFetchError(InvalidInputError):
    """A CAP feed URL that could not be read: refused, unreachable, too slow, too large, or
    answered with an HTTP error."""

    code = "feed_unreadable"
    title = "Feed could not be read"

    def __init__(self, detail: str, *, url: str) -> None:
        super().__init__(f"{url}: {detail}", url=url)
        self.url = url
        self.reason = detail


class FeedExistsError(ConflictError):
    """A CAP feed whose name or URL is taken by another feed."""

    code = "feed_exists"


class RoadNetworkError(InvalidInputError):
    """An OpenStreetMap extract that cannot become a road network: unreadable, not OSM PBF, or
    without roads for a travel mode. The detail names the file and the problem."""

    code = "invalid_road_network"
    title = "Unusable road network"


class RateLimitedError(StreetReliefError):
    """A client that sent more requests than its limit allows; ``retry_after_s`` says when to
    try again."""

    code = "rate_limited"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class NoFreePlaceError(ConflictError):
    """A hold or admission at a point with no free place (and no overflow recorded)."""

    code = "no_free_place"


class PointClosedError(ConflictError):
    """A hold at a service point that is not open at that time."""

    code = "point_closed"


class HoldClosedError(ConflictError):
    """A referral hold that has expired, been admitted or been released."""

    code = "hold_closed"


class InsufficientStockError(ConflictError):
    """Taking more of an item than its holder holds."""

    code = "insufficient_stock"
