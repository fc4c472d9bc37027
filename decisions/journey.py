"""The decision stage in the applicant's status tracker (registration.hooks)."""

from django.contrib.auth.models import Group, Permission

from lsp_portal.accounts.roles import Role

from .models import Decision


def decision_steps(application):
    decision = (
        Decision.objects.published()
        .filter(assessment__application=application, assessment__is_current=True)
        .first()
    )
    if decision is None:
        return []
    competent = decision.result == Decision.Result.K
    return [
        {
            "key": "decision",
            "state": "done" if competent else "failed",
            "note": decision.get_result_display(),
            "url": decision.get_absolute_url(),
        },
        {"key": "certificate" if competent else "appeal", "state": "next"},
    ]


def grant_staff_permissions(sender=None, **kwargs):
    """Admin LSP keeps the technical team registry in the admin."""
    group = Group.objects.filter(name=Role.STAFF).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="decisions",
                content_type__model="technicalteammember",
            )
        )
