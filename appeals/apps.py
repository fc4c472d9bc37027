from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from decisions import hooks as decision_hooks
        from lsp_portal.accounts import role_hooks
        from lsp_portal.accounts.roles import Role
        from lsp_portal.audit import labels
        from lsp_portal.ops import summary
        from registration import hooks

        from . import journey, services
        from .models import Appeal

        hooks.register_journey(journey.steps_for)
        hooks.register_stored_bytes(journey.attachment_bytes)
        hooks.register_home(Role.APPEAL_TEAM, "appeals:list")
        decision_hooks.register_decision_panel(journey.decision_panel)
        post_migrate.connect(journey.grant_staff_permissions, sender=self)
        # The Tim Banding role on the people pages: no registry data, appointments per appeal.
        role_hooks.register(
            role_hooks.RoleHook(
                Role.APPEAL_TEAM,
                "appeal-team",
                in_use=services.appeal_member_in_use,
                registry=services.appeal_member_registry,
                description=_("Examines the appeals they are appointed to (9.9.4)."),
            )
        )
        labels.register(
            actions={
                "appeal.filed": _("Appeal filed"),
                "appeal.member_appointed": _("Appeal team member appointed"),
                "appeal.finding_recorded": _("Appeal finding recorded"),
                "appeal.finding_updated": _("Appeal finding updated"),
                "appeal.answered": _("Appeal answered by the director"),
                "appeal.notice": _("Appeal deadline notice"),
            },
            statuses=dict(Appeal.Status.choices),
        )
        summary.register("appeals", Appeal)
