"""Google's error format: `{"error": {"code", "message", "status"}}`."""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    404: "Requested entity was not found.",
    429: "Quota exceeded.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "The service is currently unavailable.",
}


class ApiError(Exception):
    """An error answer: HTTP code, Google status name and message (plus optional details)."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        details: list[dict[str, Any]] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.status = STATUS_NAMES.get(code, "UNKNOWN")
        self.message = message or DEFAULT_MESSAGES.get(code, "Error.")
        self.details = details
        self.retry_after = retry_after  # sent as a Retry-After header (Google itself sends none)
        super().__init__(f"{code} {self.status}: {self.message}")

    @classmethod
    def bad(cls, message: str) -> ApiError:
        """400 INVALID_ARGUMENT."""
        return cls(400, message)

    @classmethod
    def not_found(cls) -> ApiError:
        """404 NOT_FOUND with Google's wording."""
        return cls(404)

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def quota_error(write: bool) -> ApiError:
    """The 429 Google answers when the per-minute, per-user quota is spent (recorded wording)."""
    kind, metric = ("Write", "write_requests") if write else ("Read", "read_requests")
    message = (
        f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:0'."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_metric": f"sheets.googleapis.com/{metric}",
                "quota_limit": f"{kind}RequestsPerMinutePerUser",
                "service": "sheets.googleapis.com",
                "consumer": "projects/0",
            },
        }
    ]
    return ApiError(429, message, details)
