"""The request id of the work in progress, for logs (and later the audit log)."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("lutetia_request_id", default="-")
