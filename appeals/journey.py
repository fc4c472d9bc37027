"""How appeals plug into earlier stages: the applicant's status tracker and the storage quota
(registration.hooks), the decision page (decisions.hooks) and the staff permissions for closure
days."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from decisions.models import Decision
from lsp_portal.accounts.roles import Role
from lsp_portal.dates import format_datetime

from .models import Appeal, Attachment
from .services import appeal_refusal


def appeal_steps(application):
    """The appeal step of one application (see steps_for)."""
    return steps_for([application]).get(application.pk, [])


def steps_for(applications):
    """The appeal step of each application (registration.hooks.journey), in two queries: while
    the current "not yet competent" decision may be appealed, an invitation to appeal; otherwise
    the latest appeal and where it stands."""
    ids = [a.pk for a in applications]
    decisions = {
        d.assessment.application_id: d
        for d in Decision.objects.published()
        .filter(
            assessment__application_id__in=ids,
            assessment__is_current=True,
            result=Decision.Result.BK,
        )
        .select_related("assessment")
    }
    latest = {}
    appealed = set()
    for appeal in Appeal.objects.filter(application_id__in=ids).order_by("-received_at"):
        latest.setdefault(appeal.application_id, appeal)
        appealed.add(appeal.decision_id)
    steps = {}
    for pk in ids:
        decision = decisions.get(pk)
        if (
            decision is not None
            and appeal_refusal(decision, appealed=decision.pk in appealed) is None
        ):
            steps[pk] = [_invitation(decision)]
        elif pk in latest:
            steps[pk] = [_appeal_step(latest[pk])]
    return steps


def _invitation(decision):
    until = format_datetime(decision.appeal_deadline)
    return {
        "key": "appeal",
        "state": "attention",
        "note": _("You may appeal until %(until)s") % {"until": until},
        "url": reverse("appeals:file", args=[decision.pk]),
    }


def _appeal_step(appeal):
    url = reverse("appeals:detail", args=[appeal.pk])
    if appeal.is_open:
        return {
            "key": "appeal",
            "state": "current",
            "note": appeal.get_status_display(),
            "url": url,
        }
    if appeal.outcome == Appeal.Outcome.UPHELD:
        return {"key": "appeal", "state": "done", "note": _("Upheld: reassessment"), "url": url}
    return {"key": "appeal", "state": "failed", "note": _("Dismissed"), "url": url}


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
    """Admin LSP reads the appeals in the admin (the closure days: lsp_portal.workdays)."""
    group = Group.objects.filter(name=Role.STAFF).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="appeals", codename="view_appeal")
        )


def attachment_bytes(user):
    """What `user`'s appeal attachments take, for the storage quota (registration.hooks)."""
    return (
        Attachment.objects.filter(appeal__appellant=user).aggregate(total=Sum("size"))["total"] or 0
    )
