"""How uvicorn serves the app: the options ``o2o serve`` and the in-process tests share."""

from __future__ import annotations

from typing import Any

from api.http_protocol import head_timeout_protocol
from api.settings import Settings
from api.ws_protocol import LeanWebSocketProtocol


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings that follow from ours (host, port and logging are the caller's)."""
    return {
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise (it also reads
        # FORWARDED_ALLOW_IPS itself): only the peers our setting names are believed, and
        # with none named the headers are ignored.
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": list(settings.forwarded_allow_ips),
        # uvicorn has no deadline for a request's headers: a trickling client held its
        # connection for ever (the body's deadline is api.limits.BodySizeLimit's).
        "http": head_timeout_protocol(settings.abuse.http_header_timeout_seconds),
        # uvicorn's sans-I/O protocol, trimmed (api/ws_protocol.py), keeps less per connection
        # than its default implementation; without permessage-deflate a socket holds no zlib
        # state (~40 KiB each), and offer events are a few hundred bytes, so compression would
        # save little.
        "ws": LeanWebSocketProtocol,
        "ws_per_message_deflate": False,
    }
