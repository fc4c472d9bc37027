from django import forms
from django.utils.translation import gettext_lazy as _


class InstrumentImportForm(forms.Form):
    """The spreadsheet of a scheme's instrument bank (assessment/instruments/sheet.py)."""

    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_(
            "One sheet; header kode_unit, instrumen, no, teks, panduan, kuk, waktu_menit; one "
            "row per task or question. Download the current bank below for the layout."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (import nothing)"), required=False, initial=False
    )
