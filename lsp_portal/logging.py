"""Logging helpers (settings.LOGGING)."""

import logging


class RefusalsOnOneLine(logging.Filter):
    """A request the portal refused (403, 404, 400 and the like) is one warning line: Django logs
    each with the traceback of its PermissionDenied or Http404, which says nothing an operator
    needs and buries the real errors. Server errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
