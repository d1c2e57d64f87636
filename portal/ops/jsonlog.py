"""JSON logs: one JSON object per line (PORTAL_LOG_FORMAT=json, which `make serve` sets).

Each line has `time` (UTC, ISO 8601), `level`, `logger` and `message`; a line logged while a
request is served also has its `request_id` (the X-Request-ID header nginx sets, else one made
here), and the request's own line (logger `portal.request`, one per request) its `method`,
`route` (the URL pattern's name), `status` and `duration_ms`. An exception adds `exception`."""

import contextvars
import datetime as dt
import json
import logging

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Fields a log call may pass with extra={...} that are written as they are.
EXTRA_FIELDS = ("method", "path", "route", "status", "duration_ms", "pool", "pid")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            line["request_id"] = rid
        for field in EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(json_format: bool, level: str) -> dict:
    """The LOGGING setting: plain lines as before, or JSON lines with one line per request."""
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.ops.jsonlog.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["console"], "level": level},
    }
    if json_format:
        config["handlers"]["console"]["formatter"] = "json"
        # The request lines (portal.ops.middleware) are INFO; the rest keeps LOG_LEVEL.
        config["loggers"] = {"portal.request": {"level": "INFO"}}
    return config
