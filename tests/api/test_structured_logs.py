"""The JSON log line: extras kept, uvicorn's coloured copy of the message dropped."""

import json
import logging

from api.structured_logs import JsonFormatter


def _line(**extra: object) -> dict[str, object]:
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, "%s started", ("x",), None
    )
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter().format(record))


def test_extras_are_kept_and_colour_codes_dropped():
    line = _line(color_message="\x1b[32m%s\x1b[0m started", operation="query viewer")
    assert line["message"] == "x started"
    assert line["operation"] == "query viewer"
    assert "color_message" not in line
