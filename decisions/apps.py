from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        from lsp_portal.accounts import role_hooks
        from lsp_portal.accounts.roles import Role
        from lsp_portal.audit import labels
        from registration import hooks

        from . import journey, services
        from .forms import TechnicalTeamMemberForm
        from .models import Decision, Meeting

        hooks.register_journey(journey.steps_for)
        hooks.register_home(Role.TECHNICAL_TEAM, "decisions:meeting_list")
        hooks.register_home(Role.DIRECTOR, "decisions:meeting_list")
        post_migrate.connect(journey.grant_staff_permissions, sender=self)
        # The Tim Teknis role on the people pages: its registry record (qualification, 9.4.3).
        role_hooks.register(
            role_hooks.RoleHook(
                Role.TECHNICAL_TEAM,
                "technical-team",
                form_class=TechnicalTeamMemberForm,
                grant=services.register_member,
                remove=services.retire_member,
                in_use=services.member_in_use,
                registry=services.member_registry,
                description=_("Decides certification at meetings and signs the minutes (9.4)."),
            )
        )
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
                "technical_member.registered": _("Technical team member registered"),
                "technical_member.retired": _("Technical team member record retired"),
            },
            statuses={**dict(Meeting.Status.choices), **dict(Decision.Result.choices)},
        )
