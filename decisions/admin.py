from django.contrib import admin

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role

from .models import TechnicalTeamMember


@admin.register(TechnicalTeamMember)
class TechnicalTeamMemberAdmin(admin.ModelAdmin):
    """The technical team (9.4.3): who may decide, and what qualifies them."""

    list_display = ("user", "is_active")
    list_filter = ("is_active",)
    search_fields = ("user__full_name", "user__email", "qualification")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.with_role(Role.TECHNICAL_TEAM)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
