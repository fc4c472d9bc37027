"""The portal's Celery app for the fault tests, with PDF rendering slowed down so that a test can
kill the worker in the middle of a render. Used as `celery -A tests.reliability.slow_worker`."""

import os
import time
from pathlib import Path

import django

from lsp_portal.celery import app

django.setup()

from lsp_portal import pdf  # noqa: E402 - needs the apps loaded

__all__ = ["app"]

_render = pdf.render_pdf


def _slow_render(template_name, context):
    marker = os.environ.get("RENDER_STARTED_FILE")
    if marker:
        with Path(marker).open("a") as log:
            log.write(f"{os.getpid()} {template_name}\n")
    time.sleep(float(os.environ.get("RENDER_DELAY_SECONDS", "0")))
    return _render(template_name, context)


pdf.render_pdf = _slow_render
