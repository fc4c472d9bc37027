from django.contrib import admin

from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .models import (
    Application,
    ExperienceField,
    RequiredCourse,
    RequiredDocument,
    Scheme,
    SchemeClause,
    Unit,
)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


class RequiredCourseInline(admin.TabularInline):
    model = RequiredCourse
    extra = 0


class ExperienceFieldInline(admin.TabularInline):
    model = ExperienceField
    extra = 0


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class SchemeClauseInline(admin.StackedInline):
    model = SchemeClause
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """Staff add and maintain schemes here; nothing in the code assumes there is only one."""

    list_display = ("name", "code", "document_number", "fee", "validity_years", "is_open")
    list_filter = ("is_open", "scheme_type")
    search_fields = ("name", "code", "document_number")
    prepopulated_fields = {"code": ("name",)}
    inlines = [
        UnitInline,
        RequiredCourseInline,
        ExperienceFieldInline,
        RequiredDocumentInline,
        SchemeClauseInline,
    ]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: applications change only through the portal's review, which audits each step."""

    list_display = ("reference", "full_name", "scheme", "status", "submitted_at")
    list_filter = ("status", "scheme")
    search_fields = ("full_name", "nik", "applicant__email")
    list_select_related = ("scheme", "applicant")
