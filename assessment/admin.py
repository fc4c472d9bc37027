from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .instruments import admin as instrument_admin  # noqa: F401 - registers the instrument bank
from .models import TUK, Assessment, Assessor, Assignment


@admin.register(Assessor)
class AssessorAdmin(admin.ModelAdmin):
    """The assessor registry (9.2.2): BNSP registration number, its validity, the schemes."""

    list_display = (
        "user",
        "registration_number",
        "registration_valid_until",
        "is_active",
        "status",
    )
    list_filter = ("is_active", "schemes")
    search_fields = ("user__full_name", "user__email", "registration_number")
    filter_horizontal = ("schemes",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.with_role(Role.ASSESSOR)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("registration"))
    def status(self, obj):
        return _("current") if obj.registration_current() else _("lapsed")


@admin.register(TUK)
class TUKAdmin(admin.ModelAdmin):
    """The TUK registry (9.3.2). Whoever records a verification is kept as its verifier."""

    list_display = ("name", "kind", "verified_on", "verified_until", "verified_by", "current")
    list_filter = ("kind",)
    search_fields = ("name", "address")
    readonly_fields = ("verified_by",)

    def save_model(self, request, obj, form, change):
        if not change or {"verified_on", "verified_until"} & set(form.changed_data):
            obj.verified_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(boolean=True, description=_("verified today"))
    def current(self, obj):
        return obj.is_verified_on(timezone.localdate())


class AssignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Who held the attempt, from when until when (kept across reassignments)."""

    model = Assignment
    fields = ("assessor", "started_at", "assigned_by", "ended_at", "ended_by", "end_reason")
    readonly_fields = fields
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: assessments change only through the portal, which audits each step."""

    inlines = [AssignmentInline]

    list_display = ("reference", "application", "assessor", "status", "recommendation")
    list_filter = ("status", "recommendation")
    list_select_related = ("application", "assessor__user")
