from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from decisions import hooks as decision_hooks
        from lsp_portal.audit import labels
        from lsp_portal.ops import summary
        from registration import hooks

        from . import journey, services
        from .models import Certificate

        decision_hooks.on_decision_published(services.create_pending)
        post_migrate.connect(grant_staff_permissions, sender=self)
        hooks.register_journey(journey.steps_for)
        labels.register(
            actions={
                "certificate.pending": _("Certificate waiting for the requirements"),
                "certificate.agreement_signed": _("Certificate-use agreement signed"),
                "certificate.fee_recorded": _("Fee recorded as paid"),
                "certificate.issued": _("Certificate issued"),
                "certificate.waiting_for_signatory": _("Certificate waiting for a signatory"),
                "certificate.warned": _("Warning sent to the holder"),
                "certificate.frozen": _("Certificate frozen"),
                "certificate.restored": _("Certificate restored"),
                "certificate.revoked": _("Certificate revoked"),
                "certificate.scope_reduced": _("Scope reduced"),
                "certificate.returned": _("Certificate returned"),
            },
            statuses=dict(Certificate.Status.choices),
        )
        summary.register("certificates", Certificate)


def grant_staff_permissions(sender=None, **kwargs):
    """Admin LSP keeps the designated certificate signatory in the admin."""
    from django.contrib.auth.models import Group, Permission

    from lsp_portal.accounts.roles import Role

    group = Group.objects.filter(name=Role.STAFF).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="certificates", content_type__model="signatory"
            )
        )
