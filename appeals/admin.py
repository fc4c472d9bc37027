from django.contrib import admin

from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .models import Appeal, ClosureDay


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    """The LSP's own closure days: not working days for the 14-working-day deadline (9.9.6).
    Deadlines are computed when an appeal is received."""

    list_display = ("date", "description")
    date_hierarchy = "date"


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "received_at", "completion_due", "decision_due", "outcome")
    list_filter = ("status", "outcome")
