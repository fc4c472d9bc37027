"""Warning, freezing, restoring, revoking and reducing the scope of a certificate (9.5), and the
return of a revoked one (9.8.4): who may do what and when, each refusal changing nothing (status,
fields, warnings, audit rows, no e-mail queued), the holder e-mailed, public verification and the
holder's download following the status, the PDF rendered again after a scope reduction, the
action pages, and restore and revoke at the same moment."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from certificates import services
from certificates.models import Certificate, CertificateWarning
from lsp_portal.audit.models import AuditEvent
from lsp_portal.dates import format_date
from lsp_portal.errors import RuleError
from tests.certificates.conftest import pdf_text
from tests.conftest import run_concurrently

JAKARTA = ZoneInfo("Asia/Jakarta")
Status = Certificate.Status
ACTIONS = ["warn", "freeze", "restore", "revoke", "reduce", "returned"]
FIELDS = [
    "status",
    "freeze_ground",
    "freeze_reason",
    "frozen_at",
    "resolve_by",
    "revoked_at",
    "revoke_reason",
    "scope_reduced_at",
    "returned_at",
    "pdf_version",
]
RETURN_INSTRUCTION = (
    "Stop every use of it and of any claim referring to the LSP, and return the certificate to "
    "the LSP (9.8.4)."
)


# --- Helpers ---------------------------------------------------------------------------------


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


def local(text):
    """`text` as the portal's language shows it (e-mails and messages are in LANGUAGE_CODE)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def local_date(day):
    with translation.override(settings.LANGUAGE_CODE):
        return format_date(day)


def fresh(certificate):
    return Certificate.objects.get(pk=certificate.pk)


def actions(certificate):
    return list(
        AuditEvent.objects.for_object(certificate).order_by("pk").values_list("action", flat=True)
    )


def state(certificate):
    """Everything a 9.5 action may change: the fields, the scope, the warnings, the audit rows."""
    return {
        **Certificate.objects.filter(pk=certificate.pk).values(*FIELDS).get(),
        "scope": sorted(certificate.scope.values_list("pk", flat=True)),
        "warnings": list(
            CertificateWarning.objects.filter(certificate=certificate).values_list("pk", flat=True)
        ),
        "audit": list(AuditEvent.objects.for_object(certificate).values_list("pk", flat=True)),
    }


def make_overdue(certificate):
    """The resolve-by date of a frozen certificate passed (9.5.4)."""
    Certificate.objects.filter(pk=certificate.pk).update(resolve_by=days(-1))
    certificate.refresh_from_db()
    return certificate


def action_url(certificate, name):
    return reverse("certificates:action", args=[certificate.pk, name])


def messages_of(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def refused(django_capture_on_commit_callbacks):
    """Assert that `call` raises `error` and changes nothing, nor queues a task (e-mail, PDF)."""

    def check(error, certificate, call):
        before = state(certificate)
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(error):
            call()
        assert state(certificate) == before
        assert callbacks == []

    return check


@pytest.fixture
def sent(celery_eager, django_capture_on_commit_callbacks):
    """Run `call` with its on-commit tasks executed eagerly; return the e-mails it sent."""

    def run(call):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        return result, list(mail.outbox)

    return run


@pytest.fixture
def frozen(staff, issued):
    """alice's certificate, frozen on ground a, to be resolved within two weeks."""
    services.freeze(
        staff, issued, ground="a", reason="Dipakai di luar ruang lingkup.", resolve_by=days(14)
    )
    issued.refresh_from_db()
    return issued


@pytest.fixture
def overdue(frozen):
    """alice's frozen certificate whose resolve-by date passed."""
    return make_overdue(frozen)


@pytest.fixture
def warned(staff, issued):
    """alice's certificate in force, with a warning (9.5.2)."""
    services.warn(staff, issued, ground="b", text="Hentikan klaim kewenangan yang tidak diberikan.")
    issued.refresh_from_db()
    return issued


@pytest.fixture
def revoked(director, overdue):
    services.revoke(director, overdue, reason="Tidak diselesaikan sampai batas waktu.")
    overdue.refresh_from_db()
    return overdue


# --- Warning (9.5.2) -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "director"])
def test_only_staff_warn(request, refused, issued, who):
    user = request.getfixturevalue(who)
    refused(PermissionDenied, issued, lambda: services.warn(user, issued, ground="a", text="Awas."))


@pytest.mark.parametrize("ground", ["", "d", "A", "9.5.1.a"])
def test_a_warning_needs_a_ground_a_to_c(refused, staff, issued, ground):
    refused(RuleError, issued, lambda: services.warn(staff, issued, ground=ground, text="Awas."))


@pytest.mark.parametrize("text", ["", "   \n "])
def test_a_warning_needs_its_text(refused, staff, issued, text):
    refused(RuleError, issued, lambda: services.warn(staff, issued, ground="a", text=text))


def test_a_warning_is_recorded_and_audited(staff, issued):
    warning = services.warn(staff, issued, ground="c", text="  Jangan mencemarkan nama LSP.  ")
    assert CertificateWarning.objects.get() == warning
    assert (warning.certificate, warning.ground, warning.issued_by) == (issued, "c", staff)
    assert warning.text == "Jangan mencemarkan nama LSP."
    assert warning.issued_at is not None
    assert fresh(issued).status == Status.ACTIVE, "a warning does not freeze"
    event = AuditEvent.objects.for_object(issued).get(action="certificate.warned")
    assert event.actor == staff
    assert event.reason == "Jangan mencemarkan nama LSP."
    assert event.data["ground"] == "c"


def test_the_warning_is_emailed_to_the_holder(sent, staff, issued):
    _, outbox = sent(
        lambda: services.warn(staff, issued, ground="b", text="Hentikan klaim kewenangan.")
    )
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["alice@example.org"]
    assert issued.number in message.subject
    assert local("Warning about your certificate") in message.subject
    assert "Hentikan klaim kewenangan." in message.body
    assert local("The LSP warns you about the use of your certificate (9.5.2):") in message.body
    assert reverse("certificates:detail", args=[issued.pk]) in message.body


def test_a_frozen_certificate_can_still_be_warned(staff, frozen):
    services.warn(staff, frozen, ground="a", text="Segera selesaikan.")
    assert fresh(frozen).status == Status.FROZEN
    assert frozen.warnings.count() == 1


@pytest.mark.parametrize("which", ["pending", "revoked"])
def test_a_pending_or_revoked_certificate_cannot_be_warned(request, refused, staff, which):
    certificate = request.getfixturevalue(which)
    refused(
        RuleError,
        certificate,
        lambda: services.warn(staff, certificate, ground="a", text="Awas."),
    )


def test_an_expired_certificate_cannot_be_warned(refused, staff, issued):
    Certificate.objects.filter(pk=issued.pk).update(valid_until=days(-1))
    refused(RuleError, issued, lambda: services.warn(staff, issued, ground="a", text="Awas."))


# --- Freezing (9.5.1-9.5.3) ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "director"])
def test_only_staff_freeze(request, refused, issued, who):
    user = request.getfixturevalue(who)
    refused(
        PermissionDenied,
        issued,
        lambda: services.freeze(user, issued, ground="a", reason="x", resolve_by=days(7)),
    )


@pytest.mark.parametrize("which", ["pending", "frozen", "revoked"])
def test_only_a_certificate_in_force_is_frozen(request, refused, staff, which):
    certificate = request.getfixturevalue(which)
    refused(
        RuleError,
        certificate,
        lambda: services.freeze(staff, certificate, ground="a", reason="x", resolve_by=days(30)),
    )


def test_an_expired_certificate_cannot_be_frozen(refused, staff, issued):
    day_after = issued.valid_until + datetime.timedelta(days=1)
    with time_machine.travel(
        datetime.datetime.combine(day_after, datetime.time(9, 0), tzinfo=JAKARTA), tick=False
    ):
        assert fresh(issued).is_expired
        refused(
            RuleError,
            issued,
            lambda: services.freeze(
                staff,
                issued,
                ground="a",
                reason="Terlambat.",
                resolve_by=day_after + datetime.timedelta(days=14),
            ),
        )


@pytest.mark.parametrize(
    ("ground", "reason", "resolve_by"),
    [
        ("", "Alasan.", 14),
        ("x", "Alasan.", 14),
        ("a", "", 14),
        ("a", "   ", 14),
        ("a", "Alasan.", None),
        ("a", "Alasan.", 0),
        ("a", "Alasan.", -1),
    ],
    ids=["no-ground", "bad-ground", "no-reason", "blank-reason", "no-date", "today", "past"],
)
def test_freezing_needs_a_ground_a_reason_and_a_future_resolve_by_date(
    refused, staff, issued, ground, reason, resolve_by
):
    day = None if resolve_by is None else days(resolve_by)
    refused(
        RuleError,
        issued,
        lambda: services.freeze(staff, issued, ground=ground, reason=reason, resolve_by=day),
    )


def test_staff_freeze_a_certificate_in_force(staff, issued):
    services.freeze(
        staff, issued, ground="b", reason="  Menyalahgunakan kewenangan.  ", resolve_by=days(10)
    )
    issued.refresh_from_db()
    assert issued.status == Status.FROZEN
    assert issued.freeze_ground == "b"
    assert issued.freeze_reason == "Menyalahgunakan kewenangan."
    assert issued.resolve_by == days(10)
    assert issued.frozen_at is not None
    assert not issued.resolve_overdue
    assert not issued.can_download
    event = AuditEvent.objects.for_object(issued).get(action="certificate.frozen")
    assert (event.actor, event.from_status, event.to_status) == (staff, "active", "frozen")
    assert event.reason == "Menyalahgunakan kewenangan."
    assert event.data == {"ground": "b", "resolve_by": str(days(10))}


def test_public_verification_shows_a_frozen_certificate(client, frozen):
    html = client.get(reverse("certificates:verify_token", args=[frozen.token])).content.decode()
    assert 'data-status="frozen">Dibekukan<' in html
    by_number = client.get(reverse("certificates:verify"), {"number": frozen.number})
    assert 'data-status="frozen">Dibekukan<' in by_number.content.decode()
    data = client.get(reverse("certificates:verify_json", args=[frozen.token])).json()
    assert (data["status"], data["status_label"]) == ("frozen", "Dibekukan")
    assert "Dipakai di luar" not in html, "the reason stays internal"


def test_the_holder_cannot_download_while_frozen_and_can_again_after_restore(
    login, alice, staff, rendered
):
    client = login(alice)
    urls = [
        reverse("certificates:download", args=[rendered.pk, kind])
        for kind in ("certificate", "card")
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200]
    services.freeze(staff, rendered, ground="a", reason="Pelanggaran.", resolve_by=days(7))
    assert [client.get(url).status_code for url in urls] == [403, 403]
    page = client.get(rendered.get_absolute_url()).content.decode()
    assert 'data-testid="download-certificate"' not in page
    assert [login(staff).get(url).status_code for url in urls] == [200, 200], "staff keep access"
    services.restore(staff, rendered, note="Sudah diselesaikan.")
    client = login(alice)
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_the_holder_is_emailed_when_frozen(sent, staff, issued):
    _, outbox = sent(
        lambda: services.freeze(
            staff, issued, ground="c", reason="Mencemarkan nama LSP.", resolve_by=days(21)
        )
    )
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["alice@example.org"]
    assert local("Your certificate is frozen") in message.subject
    assert issued.number in message.subject
    assert "Mencemarkan nama LSP." in message.body
    assert local_date(days(21)) in message.body


# --- Restoring -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "director"])
def test_only_staff_restore(request, refused, frozen, who):
    user = request.getfixturevalue(who)
    refused(PermissionDenied, frozen, lambda: services.restore(user, frozen, note="Selesai."))


@pytest.mark.parametrize("which", ["issued", "pending", "revoked"])
def test_only_a_frozen_certificate_is_restored(request, refused, staff, which):
    certificate = request.getfixturevalue(which)
    refused(RuleError, certificate, lambda: services.restore(staff, certificate, note="Selesai."))


@pytest.mark.parametrize("note", ["", "  "])
def test_restoring_needs_a_note(refused, staff, frozen, note):
    refused(RuleError, frozen, lambda: services.restore(staff, frozen, note=note))


def test_staff_restore_a_frozen_certificate(sent, client, staff, overdue):
    _, outbox = sent(lambda: services.restore(staff, overdue, note=" Pemegang sudah klarifikasi. "))
    overdue.refresh_from_db()
    assert overdue.status == Status.ACTIVE
    assert overdue.resolve_by is None
    assert not overdue.resolve_overdue
    event = AuditEvent.objects.for_object(overdue).get(action="certificate.restored")
    assert (event.actor, event.from_status, event.to_status) == (staff, "frozen", "active")
    assert event.reason == "Pemegang sudah klarifikasi."
    assert [m.subject for m in outbox] == [
        f"{local('Your certificate is restored')} {overdue.number}"
    ]
    data = client.get(reverse("certificates:verify_json", args=[overdue.token])).json()
    assert data["status"] == "valid"


# --- Revocation (9.5.4-9.5.5) ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "alice"])
def test_only_the_director_revokes(request, refused, overdue, who):
    user = request.getfixturevalue(who)
    refused(PermissionDenied, overdue, lambda: services.revoke(user, overdue, reason="Dicabut."))


def test_a_certificate_in_force_without_a_warning_cannot_be_revoked(refused, director, issued):
    refused(RuleError, issued, lambda: services.revoke(director, issued, reason="Dicabut."))


def test_a_frozen_certificate_before_its_resolve_by_date_cannot_be_revoked(
    refused, director, frozen
):
    assert frozen.resolve_by >= today()
    refused(RuleError, frozen, lambda: services.revoke(director, frozen, reason="Dicabut."))


def test_the_director_revokes_after_an_ignored_warning(director, warned):
    services.revoke(director, warned, reason="Peringatan tidak diindahkan.")
    warned.refresh_from_db()
    assert warned.status == Status.REVOKED
    assert warned.revoke_reason == "Peringatan tidak diindahkan."
    assert warned.revoked_at is not None
    event = AuditEvent.objects.for_object(warned).get(action="certificate.revoked")
    assert (event.actor, event.from_status, event.to_status) == (director, "active", "revoked")


def test_the_director_revokes_once_the_resolve_by_date_passed(staff, director, issued):
    resolve_by = days(7)
    services.freeze(staff, issued, ground="a", reason="Pelanggaran.", resolve_by=resolve_by)
    on_the_day = datetime.datetime.combine(resolve_by, datetime.time(23, 50), tzinfo=JAKARTA)
    with time_machine.travel(on_the_day, tick=False):
        with pytest.raises(RuleError):
            services.revoke(director, issued, reason="Tidak diselesaikan.")
    assert fresh(issued).status == Status.FROZEN
    day_after = datetime.datetime.combine(
        resolve_by + datetime.timedelta(days=1), datetime.time(0, 30), tzinfo=JAKARTA
    )
    with time_machine.travel(day_after, tick=False):
        services.revoke(director, issued, reason="Tidak diselesaikan.")
    issued.refresh_from_db()
    assert issued.status == Status.REVOKED
    event = AuditEvent.objects.for_object(issued).get(action="certificate.revoked")
    assert (event.from_status, event.to_status, event.reason) == (
        "frozen",
        "revoked",
        "Tidak diselesaikan.",
    )


@pytest.mark.parametrize("reason", ["", "  "])
def test_revocation_needs_a_reason(refused, director, overdue, reason):
    refused(RuleError, overdue, lambda: services.revoke(director, overdue, reason=reason))


def test_a_revoked_certificate_is_final(client, staff, director, revoked):
    unit = revoked.scope.first()
    calls = {
        "restore": lambda: services.restore(staff, revoked, note="Selesai."),
        "freeze": lambda: services.freeze(
            staff, revoked, ground="a", reason="Lagi.", resolve_by=days(7)
        ),
        "warn": lambda: services.warn(staff, revoked, ground="a", text="Awas."),
        "revoke": lambda: services.revoke(director, revoked, reason="Lagi."),
        "reduce": lambda: services.reduce_scope(
            director, revoked, remove_units=[unit], reason="Kurangi."
        ),
    }
    for name, call in calls.items():
        before = state(revoked)
        with pytest.raises(RuleError):
            call()
        assert state(revoked) == before, name
    assert fresh(revoked).status == Status.REVOKED
    html = client.get(reverse("certificates:verify_token", args=[revoked.token])).content.decode()
    assert 'data-status="revoked">Dicabut<' in html
    data = client.get(reverse("certificates:verify_json", args=[revoked.token])).json()
    assert (data["status"], data["status_label"]) == ("revoked", "Dicabut")


def test_a_revoked_certificate_is_not_downloaded_by_its_holder(
    login, alice, rendered, staff, director
):
    services.warn(staff, rendered, ground="a", text="Awas.")
    services.revoke(director, rendered, reason="Tidak diindahkan.")
    url = reverse("certificates:download", args=[rendered.pk, "certificate"])
    assert login(alice).get(url).status_code == 403


def test_the_holder_is_told_to_stop_using_and_return_the_certificate(sent, director, overdue):
    _, outbox = sent(lambda: services.revoke(director, overdue, reason="Tidak diselesaikan."))
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["alice@example.org"]
    assert local("Your certificate is revoked") in message.subject
    assert overdue.number in message.subject
    assert "Tidak diselesaikan." in message.body
    assert local(RETURN_INSTRUCTION) in message.body
    html = message.alternatives[0][0]
    assert local(RETURN_INSTRUCTION) in html


# --- The return (9.8.4) ----------------------------------------------------------------------


def test_staff_record_the_return_once(refused, staff, revoked):
    services.record_return(staff, revoked)
    revoked.refresh_from_db()
    assert revoked.returned_at is not None
    event = AuditEvent.objects.for_object(revoked).get(action="certificate.returned")
    assert event.actor == staff
    refused(RuleError, revoked, lambda: services.record_return(staff, revoked))
    assert actions(revoked).count("certificate.returned") == 1


@pytest.mark.parametrize("which", ["issued", "frozen", "pending"])
def test_only_a_revoked_certificate_is_returned(request, refused, staff, which):
    certificate = request.getfixturevalue(which)
    refused(RuleError, certificate, lambda: services.record_return(staff, certificate))


@pytest.mark.parametrize("who", ["director", "alice"])
def test_only_staff_record_the_return(request, refused, revoked, who):
    user = request.getfixturevalue(who)
    refused(PermissionDenied, revoked, lambda: services.record_return(user, revoked))


# --- Reducing the scope (9.5.4) --------------------------------------------------------------


def units_of(certificate):
    return list(certificate.scope.order_by("number"))


@pytest.mark.parametrize("which", ["issued", "frozen", "revoked"])
def test_the_scope_is_reduced_only_when_frozen_and_overdue(request, refused, staff, which):
    certificate = request.getfixturevalue(which)
    unit = units_of(certificate)[0]
    refused(
        RuleError,
        certificate,
        lambda: services.reduce_scope(staff, certificate, remove_units=[unit], reason="Kurangi."),
    )


def test_the_holder_cannot_reduce_the_scope(refused, alice, overdue):
    unit = units_of(overdue)[0]
    refused(
        PermissionDenied,
        overdue,
        lambda: services.reduce_scope(alice, overdue, remove_units=[unit], reason="Kurangi."),
    )


@pytest.mark.parametrize("who", ["staff", "director"])
def test_staff_or_the_director_reduce_the_scope(request, overdue, who):
    user = request.getfixturevalue(who)
    units = units_of(overdue)
    removed, kept = units[:2], units[2:]
    services.reduce_scope(user, overdue, remove_units=removed, reason=" Unit 1-2 tidak kompeten. ")
    overdue.refresh_from_db()
    assert overdue.status == Status.ACTIVE
    assert overdue.resolve_by is None
    assert overdue.scope_reduced_at is not None
    assert units_of(overdue) == kept
    event = AuditEvent.objects.for_object(overdue).get(action="certificate.scope_reduced")
    assert (event.actor, event.from_status, event.to_status) == (user, "frozen", "active")
    assert event.reason == "Unit 1-2 tidak kompeten."
    assert event.data["removed"] == [unit.code for unit in removed]


def test_only_units_of_the_certificate_are_removed(refused, staff, overdue, second_scheme):
    foreign = second_scheme.units.first()
    own = units_of(overdue)[0]
    for remove in ([foreign], [own, foreign], []):
        refused(
            RuleError,
            overdue,
            lambda remove=remove: services.reduce_scope(
                staff, overdue, remove_units=remove, reason="Kurangi."
            ),
        )


def test_at_least_one_unit_remains(refused, staff, overdue):
    every = units_of(overdue)
    refused(
        RuleError,
        overdue,
        lambda: services.reduce_scope(staff, overdue, remove_units=every, reason="Semua."),
    )


@pytest.mark.parametrize("reason", ["", " "])
def test_reducing_the_scope_needs_a_reason(refused, staff, overdue, reason):
    unit = units_of(overdue)[0]
    refused(
        RuleError,
        overdue,
        lambda: services.reduce_scope(staff, overdue, remove_units=[unit], reason=reason),
    )


def test_a_reduced_scope_is_rendered_as_a_new_version_and_the_holder_told(
    sent, client, login, alice, staff, rendered
):
    assert rendered.pdf_version == 1
    services.freeze(staff, rendered, ground="a", reason="Pelanggaran.", resolve_by=days(7))
    make_overdue(rendered)
    removed, kept = units_of(rendered)[:1], units_of(rendered)[1:]
    old_path = rendered.pdf.path
    _, outbox = sent(
        lambda: services.reduce_scope(staff, rendered, remove_units=removed, reason="Kurangi.")
    )
    rendered.refresh_from_db()
    rendered.card.refresh_from_db()
    assert rendered.pdf_version == 2
    assert rendered.card.pdf_version == 2
    assert rendered.pdf.path != old_path
    text = pdf_text(rendered.pdf.path)
    assert removed[0].code not in text
    assert [unit.code for unit in kept if unit.code not in text] == []
    assert [m.subject for m in outbox] == [
        f"{local('The scope of your certificate was reduced')} {rendered.number}"
    ]
    data = client.get(reverse("certificates:verify_json", args=[rendered.token])).json()
    assert data["status"] == "valid"
    assert [unit["code"] for unit in data["scope"]] == [unit.code for unit in kept]
    url = reverse("certificates:download", args=[rendered.pk, "certificate"])
    assert login(alice).get(url).status_code == 200


# --- The action pages ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, frozen):
    login_url = resolve_url(settings.LOGIN_URL)
    before = state(frozen)
    for name in ACTIONS:
        response = client.post(action_url(frozen, name), {"note": "x", "reason": "x"})
        assert response.status_code == 302, name
        assert response["Location"].startswith(login_url), name
    assert state(frozen) == before


@pytest.mark.parametrize(("who", "detail"), [("alice", 200), ("bob", 404)])
def test_applicants_are_refused_every_action(request, login, overdue, who, detail):
    client = login(request.getfixturevalue(who))
    assert client.get(overdue.get_absolute_url()).status_code == detail
    before = state(overdue)
    data = {"ground": "a", "text": "x", "note": "x", "reason": "x", "resolve_by": str(days(9))}
    for name in ACTIONS:
        assert client.post(action_url(overdue, name), data).status_code == 403, name
    assert state(overdue) == before


def test_get_on_an_action_is_refused(login, staff, issued):
    before = state(issued)
    for name in ACTIONS:
        assert login(staff).get(action_url(issued, name)).status_code == 405, name
    assert state(issued) == before


def test_an_unknown_action_is_not_found(login, staff, director, issued):
    before = state(issued)
    for user in (staff, director):
        response = login(user).post(action_url(issued, "delete"), {"reason": "x"})
        assert response.status_code == 404
    assert state(issued) == before


def test_staff_freeze_through_the_page(login, staff, issued):
    client = login(staff)
    page = client.get(issued.get_absolute_url()).content.decode()
    assert 'data-testid="freeze"' in page
    assert 'data-testid="frozen-note"' not in page
    resolve_by = days(14)
    response = client.post(
        action_url(issued, "freeze"),
        {
            "ground": "b",
            "reason": "Menyalahgunakan kewenangan.",
            "resolve_by": resolve_by.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == issued.get_absolute_url()
    issued.refresh_from_db()
    assert (issued.status, issued.freeze_ground, issued.resolve_by) == ("frozen", "b", resolve_by)
    response = client.get(issued.get_absolute_url())
    page = response.content.decode()
    assert 'data-testid="frozen-note"' in page
    assert "Menyalahgunakan kewenangan." in page
    assert local_date(resolve_by) in page
    assert 'data-testid="freeze"' not in page
    assert 'data-testid="restore"' in page
    assert messages_of(response) == [
        ("success", local("The certificate is frozen; the holder was told."))
    ]


def test_a_freeze_missing_its_reason_changes_nothing_and_says_why(login, staff, issued):
    before = state(issued)
    response = login(staff).post(
        action_url(issued, "freeze"),
        {"ground": "a", "reason": "", "resolve_by": days(14).isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert state(issued) == before
    with translation.override(settings.LANGUAGE_CODE):
        required = str(forms.CharField().error_messages["required"])
    assert messages_of(response) == [("error", required)]
    assert 'data-testid="frozen-note"' not in response.content.decode()


def test_a_freeze_refused_by_the_rules_changes_nothing_and_says_why(login, staff, issued):
    before = state(issued)
    response = login(staff).post(
        action_url(issued, "freeze"),
        {"ground": "a", "reason": "Pelanggaran.", "resolve_by": days(-3).isoformat()},
        follow=True,
    )
    assert state(issued) == before
    assert messages_of(response) == [("error", local("The resolve-by date must be in the future."))]


def test_staff_cannot_revoke_through_the_page(login, staff, overdue):
    before = state(overdue)
    response = login(staff).post(action_url(overdue, "revoke"), {"reason": "Dicabut."})
    assert response.status_code == 403
    assert state(overdue) == before
    page = login(staff).get(overdue.get_absolute_url()).content.decode()
    assert 'data-testid="revoke"' not in page
    assert 'data-testid="reduce"' in page


def test_the_director_revokes_and_staff_record_the_return_through_the_pages(
    login, staff, director, overdue
):
    page = login(director).get(overdue.get_absolute_url()).content.decode()
    assert 'data-testid="revoke"' in page
    response = login(director).post(
        action_url(overdue, "revoke"), {"reason": "Tidak diselesaikan."}
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.status == Status.REVOKED
    client = login(staff)
    page = client.get(overdue.get_absolute_url()).content.decode()
    assert 'data-testid="revoked-note"' in page
    assert 'data-testid="record-return"' in page
    assert client.post(action_url(overdue, "returned")).status_code == 302
    overdue.refresh_from_db()
    assert overdue.returned_at is not None
    page = client.get(overdue.get_absolute_url()).content.decode()
    assert 'data-testid="record-return"' not in page
    response = client.post(action_url(overdue, "returned"), follow=True)
    assert messages_of(response) == [("error", local("The return was already recorded."))]
    assert actions(overdue).count("certificate.returned") == 1


def test_staff_reduce_the_scope_through_the_page(login, staff, overdue):
    units = units_of(overdue)
    client = login(staff)
    page = client.get(overdue.get_absolute_url()).content.decode()
    assert 'data-testid="reduce"' in page
    assert f'value="{units[0].pk}"' in page
    response = client.post(
        action_url(overdue, "reduce"),
        {"units": [units[0].pk, units[1].pk], "reason": "Dua unit dicabut."},
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.status == Status.ACTIVE
    assert units_of(overdue) == units[2:]


def test_the_director_is_offered_revocation_only_when_the_rules_allow_it(
    login, staff, director, issued
):
    """Issue 13.5: no revocation form the service would refuse (9.5.4-9.5.5). In force and never
    warned, the page says what revocation needs; after a warning the form is there."""
    page = login(director).get(issued.get_absolute_url()).content.decode()
    assert 'data-testid="revoke"' not in page
    assert 'data-testid="revoke-refusal"' in page
    needs = local(
        "Revocation needs a frozen certificate whose resolve-by date has passed "
        "(9.5.4) or a warning the holder ignored (9.5.5)."
    )
    assert needs in page
    services.warn(staff, issued, ground="b", text="Hentikan klaim kewenangan yang tidak diberikan.")
    page = login(director).get(issued.get_absolute_url()).content.decode()
    assert 'data-testid="revoke"' in page
    assert 'data-testid="revoke-refusal"' not in page


def test_an_expired_certificate_offers_staff_no_warning_or_freezing(login, staff, issued):
    """warn and freeze refuse an expired certificate: its page offers neither, and says it
    expired; the day before, both are offered."""
    last_day = datetime.datetime.combine(issued.valid_until, datetime.time(12), tzinfo=JAKARTA)
    with time_machine.travel(last_day, tick=False):
        page = login(staff).get(issued.get_absolute_url()).content.decode()
    assert 'data-testid="warn"' in page and 'data-testid="freeze"' in page
    with time_machine.travel(last_day + datetime.timedelta(days=1), tick=False):
        page = login(staff).get(issued.get_absolute_url()).content.decode()
        with pytest.raises(RuleError):
            services.warn(staff, issued, ground="a", text="Terlambat.")
    assert 'data-testid="warn"' not in page and 'data-testid="freeze"' not in page
    assert 'data-testid="locked-note"' in page
    assert local_date(issued.valid_until) in page


# --- Restore and revoke at the same moment ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_and_revoke_at_the_same_moment_only_one_succeeds(staff, director, overdue):
    outcomes = run_concurrently(
        lambda: services.restore(staff, fresh(overdue), note="Sudah diselesaikan."),
        lambda: services.revoke(director, fresh(overdue), reason="Tidak diselesaikan."),
    )
    assert outcomes == ["ok", "refused"]
    overdue.refresh_from_db()
    done = [a for a in actions(overdue) if a in ("certificate.restored", "certificate.revoked")]
    assert len(done) == 1
    expected = {"certificate.restored": Status.ACTIVE, "certificate.revoked": Status.REVOKED}
    assert overdue.status == expected[done[0]]
