"""What an operator sees (issue 13, item 11): a refused request is one warning line, not a
traceback; the browser's /favicon.ico is the portal's icon; Celery beat keeps its state outside
the work tree."""

import io
import logging
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from lsp_portal.celery import app
from lsp_portal.logging import RefusalsOnOneLine

ROOT = Path(__file__).resolve().parents[1]


def log_of(client, url):
    """What the console handler of settings.LOGGING writes while `url` is requested."""
    stream = io.StringIO()
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RefusalsOnOneLine) for f in handler.filters)
    )
    previous = console.setStream(stream)
    try:
        response = client.get(url)
    finally:
        console.setStream(previous)
    return response, stream.getvalue()


def test_a_refused_request_is_one_warning_line(client, alice):
    client.force_login(alice)
    response, log = log_of(client, reverse("registration:review_queue"))
    assert response.status_code == 403
    assert log.strip().splitlines() == ["Forbidden (Permission denied): /review/"]
    assert "Traceback" not in log


def test_a_page_not_found_is_one_line_too(client, alice):
    client.force_login(alice)
    response, log = log_of(client, "/assessment/999999/")
    assert response.status_code == 404
    assert log.strip().splitlines() == ["Not Found: /assessment/999999/"]


def test_a_server_error_keeps_its_traceback(client, alice, monkeypatch):
    from registration import views

    def broken(applications):
        raise RuntimeError("boom")

    client.force_login(alice)
    client.raise_request_exception = False
    monkeypatch.setattr(views, "_journeys", broken)
    response, log = log_of(client, reverse("dashboard"))
    assert response.status_code == 500
    assert "Traceback" in log and "RuntimeError: boom" in log


def test_the_browser_gets_the_portals_icon_for_favicon_ico(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") or b"<svg" in response.content[:200]


def test_celery_beat_keeps_its_schedule_outside_the_work_tree():
    schedule = Path(app.conf.beat_schedule_filename).resolve()
    assert schedule == Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).resolve()
    assert not schedule.is_relative_to(ROOT)
