from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        from lsp_portal.accounts.roles import Role
        from lsp_portal.audit import labels
        from registration import hooks

        from . import journey
        from .models import Decision, Meeting

        hooks.register_journey(journey.steps_for)
        hooks.register_home(Role.TECHNICAL_TEAM, "decisions:meeting_list")
        hooks.register_home(Role.DIRECTOR, "decisions:meeting_list")
        post_migrate.connect(journey.grant_staff_permissions, sender=self)
        labels.register(
            actions={
                "meeting.planned": _("Meeting planned"),
                "meeting.opened": _("Meeting opened, attendance recorded"),
                "meeting.attendance_updated": _("Attendance updated"),
                "meeting.cancelled": _("Meeting cancelled"),
                "meeting.conflict_declared": _("Member declared a conflict"),
                "meeting.closed": _("Meeting closed, minutes generated"),
                "decision.recorded": _("Decision recorded"),
                "decision.published": _("Decision published"),
                "minutes.signed": _("Minutes signed"),
                "minutes.final": _("Minutes final"),
                "decree.drafted": _("Decree drafted"),
                "decree.signed": _("Decree signed"),
                "pdf.retry": _("PDF rendering requested again"),
            },
            statuses={**dict(Meeting.Status.choices), **dict(Decision.Result.choices)},
        )
