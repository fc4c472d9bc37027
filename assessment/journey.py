"""How the assessment stage plugs into registration (see registration.hooks)."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from lsp_portal.accounts.roles import Role

from .models import Assessment

Status = Assessment.Status


def assessor_visibility(user):
    """The assigned assessor sees the application and its evidence once impartiality is declared."""
    if not user.has_role(Role.ASSESSOR):
        return None
    return Q(
        assessments__assessor__user=user,
        assessments__is_current=True,
        assessments__impartiality_declared_at__isnull=False,
    )


def steps_for(applications):
    """The assessment step of each application (registration.hooks.journey), in one query."""
    current = Assessment.objects.filter(
        application_id__in=[a.pk for a in applications], is_current=True
    )
    return {a.application_id: _steps(a) for a in current}


def _steps(assessment):
    url = reverse("assessment:detail", args=[assessment.pk])
    step = {"key": "assessment", "url": url, "state": "current"}
    if assessment.status == Status.ASSIGNED:
        if assessment.plan_set_at and not assessment.applicant_agreed_at:
            step.update(state="attention", note=_("Agree to the assessment plan"))
        elif not assessment.plan_set_at:
            step["note"] = _("The assessor is preparing the plan")
        else:
            step["note"] = _("Waiting for the assessor to agree to the plan")
    elif assessment.status == Status.PLAN_AGREED:
        step["note"] = _("The assessor is reviewing your evidence")
    elif assessment.status == Status.EVIDENCE_REVIEWED:
        step["note"] = (
            _("Competency test")
            if assessment.proceed_to_test
            else _("Not recommended for the test")
        )
    else:
        step.update(state="done", note=_("Submitted to the LSP"))
        return [step, {"key": "decision", "state": "next", "note": _("Technical team")}]
    return [step]


def grant_staff_registry_permissions(sender=None, **kwargs):
    """Admin LSP keeps the assessor and TUK registries in the admin."""
    group = Group.objects.filter(name=Role.STAFF).first()
    if group is None:
        return
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessment", content_type__model__in=("assessor", "tuk")
        )
    )
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessment", codename__startswith="view_"
        )
    )
