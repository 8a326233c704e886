"""One JSON object a line, each carrying the request it belongs to; secrets never written.

Redaction happens on the final text (message, arguments and traceback together), because a
secret can arrive by any of them: a GraphQL syntax error quotes the document it could not
parse, password literal included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.guards.observability import begin_request, current_request, end_request

# Mainland mobile numbers: keep the first three and last two digits.
_PHONE = re.compile(r"(?<![\w])(?:\+?86)?(1\d{2})\d{6}(\d{2})(?!\d)")
# JWTs: three base64url parts, the first starting like every JSON header.
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")
# A password given as a literal or a JSON field: `password: "x"`, `"password": "x"`.
_PASSWORD = re.compile(r"""(password["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*')""", re.IGNORECASE)
_BEARER = re.compile(r"(bearer\s+)\S+", re.IGNORECASE)


def redact(text: str) -> str:
    text = _JWT.sub("[token]", text)
    text = _BEARER.sub(r"\1[token]", text)
    text = _PASSWORD.sub(r'\1"[redacted]"', text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


# Attributes every LogRecord has; anything else was passed as ``extra`` and is kept, except
# uvicorn's ``color_message``: the message again, with terminal colour codes.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = current_request()
        if request is not None:
            entry["request_id"] = request.request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        clean = {
            k: redact(v) if isinstance(v, str) and k != "request_id" else v
            for k, v in entry.items()
        }
        return json.dumps(clean, default=str, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for our loggers, uvicorn's and strawberry's alike."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


_REQUEST_ID = re.compile(r"[\w.-]{1,64}")
log = logging.getLogger("o2o.request")


class RequestLog:
    """Give every request an id (the caller's ``X-Request-ID`` when sane), echo it in the
    response, and log one line when it ends: operation, caller role, outcome, status, time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = begin_request(request_id)
        started = time.perf_counter()
        status = [0]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._log(scope, status[0], time.perf_counter() - started)
            end_request(token)

    def _log(self, scope: Scope, status: int, seconds: float) -> None:
        info = current_request()
        if info is None or scope["path"] in ("/metrics", "/healthz", "/healthz/live"):
            return
        log.info(
            "%s %s",
            scope.get("method", "WEBSOCKET"),
            scope["path"],
            extra={
                "operation": info.operation,
                "role": info.role,
                "outcome": info.outcome,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            },
        )
