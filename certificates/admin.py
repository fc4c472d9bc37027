from django.contrib import admin
from django.utils.translation import gettext as _

from lsp_portal.accounts.roles import Role
from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .models import Certificate, Signatory


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    """The person designated to sign certificates (9.4.6), name and title kept by staff."""

    list_display = ("name", "title", "is_current")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_current and request.user.has_role(Role.STAFF):
            from . import services

            issued = services.issue_waiting(request.user)
            if issued:
                self.message_user(
                    request, _("%(n)s waiting certificate(s) issued.") % {"n": issued}
                )


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: certificates change only through the portal, which audits each step."""

    list_display = ("number", "holder_name", "status", "issued_on", "valid_until")
    list_filter = ("status", "year")
    search_fields = ("number", "holder_name")
