"""The Django admin site asks for the second step too: a user who has not passed it is not let in
(as if not staff), whatever the middleware does."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class PortalAdminSite(AdminSite):
    def has_permission(self, request):
        from . import services

        return super().has_permission(request) and services.pending_step(request) is None


class PortalAdminConfig(AdminConfig):
    default_site = "lsp_portal.twofactor.admin_site.PortalAdminSite"
