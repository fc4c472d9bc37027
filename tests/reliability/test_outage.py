"""Nothing is lost when the broker (Redis) or the Celery worker is down, and a worker killed in the
middle of a PDF render leaves exactly one PDF. Against the real Redis of REDIS_URL and real worker
processes (`celery worker`, started and stopped by the tests) on the test database.

Users act through the views while Redis cannot be reached and while no worker runs: each action
succeeds, and its side effects (e-mails, PDFs) wait in the outbox table. Then a worker starts and
the sweep runs (celery beat does it every minute): every effect happens, exactly once, even when
the sweep runs again."""

import email
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from certificates import services as certificate_services
from certificates.models import Certificate, Signatory
from lsp_portal.accounts.roles import Role
from lsp_portal.celery import app
from lsp_portal.outbox import services as outbox
from lsp_portal.outbox.models import Message
from registration import services as registration_services
from registration.models import Application
from tests.certificates.conftest import POINTS, sign_decree_for
from tests.conftest import fill_application, make_user
from tests.decisions.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
UNREACHABLE = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("make test sets REDIS_URL; run the suite through make test")
    return url


@contextmanager
def broker(url):
    """Publish to `url` for a while (the suite publishes to an in-memory broker otherwise)."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    app._after_fork()  # drop the pooled connections to the previous broker
    try:
        yield
    finally:
        app.conf.broker_url = previous
        app._after_fork()


def in_flight():
    """Messages in the Redis queue, waiting or taken by a worker and not yet acknowledged (tasks
    are acknowledged late, when done): none means nothing more can run."""
    with broker(redis_url()), app.connection_for_write() as conn:
        client = conn.default_channel.client
        return client.llen("celery") + client.hlen("unacked")


def purge_queue():
    with broker(redis_url()), app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


@contextmanager
def worker(tmp_path, *, app_module="lsp_portal", pool="solo", extra_env=None):
    """A real Celery worker on the test database, its e-mails written to files."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "lsp_portal.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # django-environ reads the path after "filemail://" as relative: "//" keeps it absolute.
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [str(CELERY), "-A", app_module, "worker", f"--pool={pool}", "--concurrency=1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_until(condition, timeout=90, what="the jobs", process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker stopped (exit {process.returncode}): see worker.log")
        time.sleep(0.25)
    pytest.fail(f"{what} did not finish in {timeout} s")


def mails(tmp_path):
    """(recipient, subject) of every e-mail the worker sent."""
    found = []
    folder = tmp_path / "mail"
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                found.append((message["To"], str(email.header.make_header(
                    email.header.decode_header(message["Subject"])))))  # fmt: skip
    return sorted(found)


def stored_pdfs():
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*.pdf")}


def certificate_files(certificate):
    certificate.refresh_from_db()
    return {certificate.pdf.name, certificate.card.pdf.name}


@pytest.fixture
def pending_certificate(alice, staff, director, technical, recommended):
    """alice was decided Kompeten in a signed decree and signed the use agreement: staff only
    have to record the fee for her certificate to be issued (and rendered)."""
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    sign_decree_for(
        staff, director, [make_member(technical), make_member(tono, "Praktisi CRM.")], [recommended]
    )
    Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
    certificate = Certificate.objects.get(decision__assessment=recommended)
    certificate_services.sign_agreement(alice, certificate, points=POINTS)
    return certificate


def test_actions_while_redis_and_the_worker_are_down_are_delivered_once_when_back(
    client, tmp_path, alice, bob, staff, scheme, pending_certificate
):
    purge_queue()
    bobs = fill_application(bob, registration_services.start_application(bob, scheme))
    files_before = stored_pdfs()
    first = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # -- Redis is down: staff record alice's fee, bob submits his application ------------------
    with broker(UNREACHABLE):
        client.force_login(staff)
        response = client.post(
            reverse("certificates:record_fee", args=[pending_certificate.pk]), {"amount": 350000}
        )
        assert response.status_code == 302
        client.force_login(bob)
        response = client.post(
            reverse("registration:application_submit", args=[bobs.pk]), {"agree": "on"}
        )
        assert response.status_code == 302
    certificate = Certificate.objects.get(pk=pending_certificate.pk)
    assert certificate.status == Certificate.Status.ACTIVE and certificate.number
    assert Application.objects.get(pk=bobs.pk).status == Application.Status.SUBMITTED
    waiting = Message.objects.filter(pk__gt=first)
    assert sorted(waiting.values_list("task", flat=True)) == [
        "certificates.tasks.render_certificate",
        "registration.tasks.notify_staff_submitted",
    ]
    assert not waiting.filter(dispatched_at__isnull=False).exists()
    assert "dispatch" in waiting.first().last_error

    # -- Redis is back, the worker is still down: staff confirm bob is eligible ----------------
    with broker(redis_url()):
        client.force_login(staff)
        response = client.post(
            reverse("registration:review_decide", args=[bobs.pk]),
            {"decision": "eligible", "note": "Lengkap."},
        )
        assert response.status_code == 302
    queued = Message.objects.get(pk__gt=first, task="registration.tasks.notify_applicant_of_review")
    assert queued.dispatched_at is not None and queued.done_at is None
    assert in_flight() == 1  # it waits in Redis: no worker to run it
    assert Message.objects.get(pk=queued.pk).done_at is None
    ours = Message.objects.filter(pk__gt=first)

    # -- the worker starts and the sweep runs ------------------------------------------------
    with broker(redis_url()), worker(tmp_path):
        assert outbox.sweep() == 2  # the two that never reached the broker
        wait_until(lambda: not ours.filter(done_at__isnull=True).exists())
        assert outbox.sweep() == 0
        # Nothing left in Redis, waiting or being run: nothing can arrive twice after this.
        wait_until(lambda: in_flight() == 0, what="the queue to empty", process=None)

    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.PDFStatus.READY
    assert certificate.pdf_version == 1
    # The certificate and its card, once each, and no other file.
    assert stored_pdfs() - files_before == certificate_files(certificate)
    sent = mails(tmp_path)
    assert [to for to, _ in sent].count(staff.email) == 1
    assert [to for to, _ in sent].count(bob.email) == 1
    assert len(sent) == 2, sent
    assert all(message.attempts == 1 for message in ours)


def test_a_worker_killed_in_the_middle_of_a_render_leaves_exactly_one_pdf(
    client, tmp_path, staff, pending_certificate
):
    """The render task is acknowledged only when done (acks_late, reject_on_worker_lost): when
    the process rendering it is killed, the task is delivered again to the next process."""
    purge_queue()
    files_before = stored_pdfs()
    started = tmp_path / "renders.log"
    with (
        broker(redis_url()),
        worker(
            tmp_path,
            app_module="tests.reliability.slow_worker",
            pool="prefork",
            extra_env={"RENDER_STARTED_FILE": str(started), "RENDER_DELAY_SECONDS": "3"},
        ) as main,
    ):
        client.force_login(staff)
        client.post(
            reverse("certificates:record_fee", args=[pending_certificate.pk]), {"amount": 350000}
        )
        wait_until(started.exists, timeout=60, what="the first render", process=main)
        victim = int(started.read_text().split()[0])
        assert victim != main.pid
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: (
                Certificate.objects.get(pk=pending_certificate.pk).pdf_status
                == Certificate.PDFStatus.READY
            ),
            timeout=90,
            what="the render after the kill",
        )
        renders_waiting = Message.objects.filter(
            task="certificates.tasks.render_certificate", done_at__isnull=True
        )
        wait_until(lambda: not renders_waiting.exists())

    renders = [line.split()[0] for line in started.read_text().splitlines()]
    assert renders[0] == str(victim)
    assert any(pid != str(victim) for pid in renders)  # delivered again, to another process
    certificate = Certificate.objects.get(pk=pending_certificate.pk)
    assert certificate.pdf_version == 1
    assert certificate.card.pdf_version == 1
    assert stored_pdfs() - files_before == certificate_files(certificate)
    job = Message.objects.get(task="certificates.tasks.render_certificate")
    assert job.attempts == 2
