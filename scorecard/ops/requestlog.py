"""One log line per request, with a request id that is also returned in X-Request-ID.

A line names the route *pattern* (``/interviews/<int:scorecard_id>/kit``), never the path or
query string as requested: paths may carry secrets (a calendar feed token) and query strings
personal data (a candidate search). The user appears as a number, never an e-mail address.
LOG_FORMAT=json writes JSON lines; the default is one readable text line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

LOGGER_NAME = "scorecard.request"
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (gunicorn, pytest's capture)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        tail = " ".join(f"{k}={v}" for k, v in fields.items())
        stamp = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        return f"{stamp}Z {record.levelname} {record.name} {record.getMessage()} {tail}".rstrip()


def _logger(fmt: str) -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    formatter.converter = time.gmtime
    handler = next((h for h in logger.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        logger.addHandler(handler)
    handler.setFormatter(formatter)
    return logger


def _begin() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex
    g._log_started = time.perf_counter()


def _line(response):
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("_log_started")
    user_id = None
    try:
        if current_user and current_user.is_authenticated:
            # The number only: get_id() carries the session token, a secret.
            user_id = int(current_user.id)
    except Exception:  # noqa: BLE001 - a failed user load must not lose the log line
        user_id = None
    fields = {
        "request_id": request_id,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else "(unmatched)",
        "endpoint": request.endpoint or "",
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": user_id,
    }
    logging.getLogger(LOGGER_NAME).info("request", extra={"fields": fields})
    return response


def init_request_log(app: Flask) -> None:
    if not app.config.get("REQUEST_LOG", True):
        return
    _logger(app.config.get("LOG_FORMAT", "text"))
    app.before_request(_begin)
    app.after_request(_line)
