"""How appeals plug into earlier stages: the applicant's status tracker (registration.hooks), the
decision page (decisions.hooks) and the staff permissions for closure days."""

from django.contrib.auth.models import Group, Permission
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from decisions.models import Decision
from lsp_portal.accounts.roles import Role

from .models import Appeal
from .services import appeal_refusal


def _open_decision(application):
    """The application's current published "not yet competent" decision that may be appealed."""
    decision = (
        Decision.objects.published()
        .filter(
            assessment__application=application,
            assessment__is_current=True,
            result=Decision.Result.BK,
        )
        .select_related("assessment")
        .first()
    )
    if decision is None or appeal_refusal(decision) is not None:
        return None
    return decision


def appeal_steps(application):
    decision = _open_decision(application)
    if decision is not None:
        until = formats.date_format(timezone.localtime(decision.appeal_deadline), "j M H:i")
        return [
            {
                "key": "appeal",
                "state": "attention",
                "note": _("You may appeal until %(until)s") % {"until": until},
                "url": reverse("appeals:file", args=[decision.pk]),
            }
        ]
    appeal = Appeal.objects.filter(application=application).order_by("-received_at").first()
    if appeal is None:
        return []
    url = reverse("appeals:detail", args=[appeal.pk])
    if appeal.is_open:
        return [
            {"key": "appeal", "state": "current", "note": appeal.get_status_display(), "url": url}
        ]
    if appeal.outcome == Appeal.Outcome.UPHELD:
        note = _("Upheld: reassessment")
        return [{"key": "appeal", "state": "done", "note": note, "url": url}]
    return [{"key": "appeal", "state": "failed", "note": _("Dismissed"), "url": url}]


def decision_panel(request, decision):
    """On the applicant's decision page: until when they can appeal, the form, or their appeal."""
    appeal = Appeal.objects.filter(decision=decision).first()
    return render_to_string(
        "appeals/_decision_panel.html",
        {
            "decision": decision,
            "appeal": appeal,
            "refusal": None if appeal else appeal_refusal(decision),
        },
        request=request,
    )


def grant_staff_permissions(sender=None, **kwargs):
    """Admin LSP keeps the LSP's closure days in the admin."""
    group = Group.objects.filter(name=Role.STAFF).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="appeals", content_type__model="closureday"
            )
        )
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="appeals", codename="view_appeal")
        )
