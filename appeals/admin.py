from django.contrib import admin

from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .models import Appeal


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "received_at", "completion_due", "decision_due", "outcome")
    list_filter = ("status", "outcome")
