from django.contrib import admin

from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .models import (
    KUK,
    Application,
    Element,
    ExperienceField,
    RequiredCourse,
    RequiredDocument,
    Scheme,
    SchemeClause,
    StandardVersion,
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


class KUKInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = KUK
    extra = 0
    fields = ("number", "text")


@admin.register(StandardVersion)
class StandardVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a version of a competency standard is written once, by an import on the
    scheme's standard page (or manage.py import_units), and never changed."""

    list_display = ("scheme", "number", "is_sample", "created_at", "created_by", "source_name")
    list_filter = ("scheme", "is_sample")
    list_select_related = ("scheme", "created_by")


@admin.register(Element)
class ElementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, as its version: the elements with their KUK."""

    list_display = ("unit", "number", "title", "version")
    list_filter = ("version__scheme",)
    search_fields = ("title", "unit__code", "kuks__text")
    list_select_related = ("unit", "version__scheme")
    inlines = [KUKInline]
