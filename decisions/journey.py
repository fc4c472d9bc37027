"""The decision stage in the applicant's status tracker (registration.hooks)."""

from django.contrib.auth.models import Group, Permission

from lsp_portal.accounts.roles import Role

from .models import Decision


def steps_for(applications):
    """The published decision on the current assessment of each application
    (registration.hooks.journey), in one query."""
    decisions = (
        Decision.objects.published()
        .filter(
            assessment__application_id__in=[a.pk for a in applications],
            assessment__is_current=True,
        )
        .select_related("assessment")
    )
    steps = {}
    for decision in decisions:
        competent = decision.result == Decision.Result.K
        steps.setdefault(
            decision.assessment.application_id,
            [
                {
                    "key": "decision",
                    "state": "done" if competent else "failed",
                    "note": decision.get_result_display(),
                    "url": decision.get_absolute_url(),
                },
                {"key": "certificate" if competent else "appeal", "state": "next"},
            ],
        )
    return steps


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
