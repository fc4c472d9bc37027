"""The instrument bank in the Django admin: read only (versions change only through
services.import_instruments, which adds the next one)."""

from django.contrib import admin

from lsp_portal.admin_mixins import ReadOnlyAdminMixin

from .models import InstrumentBank, InstrumentItem


@admin.register(InstrumentBank)
class InstrumentBankAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scheme", "number", "standard", "is_sample", "source_name", "created_at")
    list_filter = ("scheme", "is_sample")
    list_select_related = ("scheme", "standard__scheme")


@admin.register(InstrumentItem)
class InstrumentItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bank", "unit", "kind", "number", "text", "minutes")
    list_filter = ("kind", "bank__scheme")
    list_select_related = ("bank__scheme", "unit")
    search_fields = ("text", "guide", "unit__code")
    filter_horizontal = ("kuks",)
