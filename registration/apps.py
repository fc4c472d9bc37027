from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Registration")

    def ready(self):
        from lsp_portal.audit import labels
        from lsp_portal.ops import summary

        from .models import Application, Document
        from .permissions import grant_staff_catalogue_permissions

        labels.register(
            actions={
                "account.signed_up": _("Account created"),
                "application.created": _("Application started"),
                "application.submitted": _("Application submitted"),
                "application.withdrawn": _("Application withdrawn"),
                "application.eligible": _("Confirmed eligible"),
                "application.revision_requested": _("Revision requested"),
                "application.rejected": _("Application rejected"),
                "document.uploaded": _("Document uploaded"),
                "document.removed": _("Document removed"),
                "self_assessment.saved": _("Self-assessment saved"),
                "application.files_deleted": _("Files deleted after the retention period"),
                "scheme.standard_imported": _("Competency standard imported"),
                "scheme.standard_edited": _("Competency standard edited in the portal (one unit)"),
            },
            statuses=dict(Application.Status.choices),
        )

        post_migrate.connect(grant_staff_catalogue_permissions, sender=self)
        summary.register("applications", Application)
        summary.register("documents", Document)
