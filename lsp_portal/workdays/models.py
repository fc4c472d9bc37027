"""The LSP's own closure days, besides weekends and national holidays."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lsp_portal.dates import DateRangeValidator, format_date


class ClosureDay(models.Model):
    """A day the LSP is closed besides weekends and national holidays: not a working day for the
    14-working-day deadline (9.9.6)."""

    date = models.DateField(_("date"), unique=True, validators=[DateRangeValidator()])
    description = models.CharField(_("description"), max_length=150)

    class Meta:
        verbose_name = _("LSP closure day")
        verbose_name_plural = _("LSP closure days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{format_date(self.date)} {self.description}"
