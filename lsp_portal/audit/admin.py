from django.contrib import admin

from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the trail can be searched and read, never edited or deleted."""

    list_display = ("created_at", "actor", "action", "object_repr", "from_status", "to_status")
    readonly_fields = (
        "created_at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "from_status",
        "to_status",
        "reason",
        "data",
    )
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor__email", "reason", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "content_type")
