from django.contrib import admin

from .models import ClosureDay


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    """The LSP's own closure days: not working days for the 14-working-day deadline (9.9.6).
    Deadlines are computed when an appeal is received."""

    list_display = ("date", "description")
    date_hierarchy = "date"
