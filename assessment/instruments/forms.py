from django import forms
from django.utils.translation import gettext_lazy as _

from registration.forms import MAX_ROWS, RowFormSet, blank, removed

from ..inputs import InstrumentItemInput, UnitItemsInput
from .sheet import BANK_KINDS, TEXT_MAX


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


# ---------------------------------------------------------------------------------------------
# The unit editor: one unit's items (services.edit_unit_items checks the rules)
# ---------------------------------------------------------------------------------------------

EXTRA_ITEMS = 3  # blank item rows under the unit's, to add items without JavaScript


def _small(**attrs):
    return {"class": "form-control form-control-sm", **attrs}


class KUKBoxes(forms.TypedMultipleChoiceField):
    """The unit's KUK as checkboxes. A number that is not one of them is kept for the service
    to refuse with its own message (sheet.parse_unit_items), as a file's unknown KUK is."""

    def valid_value(self, value):
        return str(value).isdigit()


class InstrumentChoice(forms.ChoiceField):
    """The instruments the bank keeps; another code is kept for the service to refuse with the
    import's reason (FR.IA.05 comes with the written test...)."""

    def valid_value(self, value):
        return True


class ItemRowForm(forms.Form):
    kind = InstrumentChoice(
        label=_("Instrument"),
        required=False,
        choices=[("", "–"), *((kind.value, kind.label) for kind in BANK_KINDS)],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    number = forms.CharField(
        label=_("No."), required=False, max_length=10, widget=forms.TextInput(_small())
    )
    text = forms.CharField(
        label=_("Task or question"),
        required=False,
        max_length=2 * TEXT_MAX,
        widget=forms.Textarea(_small(rows=3)),
    )
    guide = forms.CharField(
        label=_("Answer guide"),
        required=False,
        max_length=2 * TEXT_MAX,
        widget=forms.Textarea(_small(rows=3)),
    )
    minutes = forms.CharField(
        label=_("Time allowed (minutes)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(_small(inputmode="numeric")),
    )
    kuks = KUKBoxes(
        label=_("KUK covered"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, kuk_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kuks"].choices = list(kuk_choices)


ItemFormSet = forms.formset_factory(
    ItemRowForm,
    formset=RowFormSet,
    extra=EXTRA_ITEMS,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
)


class UnitItemsForm:
    """The unit editor of the instrument bank: the unit's item rows (formset prefix "i") with
    spare blank rows; a row ticked for removal or left blank is left out. `based_on` is the
    bank version shown. The rules themselves are sheet.parse_unit_items'."""

    def __init__(self, data=None, *, bank, items=(), kuks=()):
        self.based_on = bank.number
        if data is not None:
            try:
                self.based_on = int(data.get("based_on", ""))
            except ValueError:
                self.based_on = -1
        choices = [(kuk.pk, f"{kuk.number} {kuk.text}") for kuk in kuks]
        self.items = ItemFormSet(
            data,
            prefix="i",
            initial=[
                {
                    "kind": item.kind,
                    "number": item.number,
                    "text": item.text,
                    "guide": item.guide,
                    "minutes": item.minutes or "",
                    "kuks": [kuk.pk for kuk in item.kuks.all()],
                }
                for item in items
            ],
            form_kwargs={"kuk_choices": choices},
        )

    def is_valid(self) -> bool:
        return self.based_on >= 0 and self.items.is_valid()

    def to_input(self) -> UnitItemsInput:
        rows = []
        for row, form in enumerate(self.items.forms, start=1):
            if removed(form) or blank(form):
                continue
            data = form.cleaned_data
            rows.append(
                InstrumentItemInput(
                    kind=data["kind"],
                    number=data["number"],
                    text=data["text"],
                    guide=data["guide"],
                    minutes=data["minutes"],
                    kuks=tuple(data["kuks"]),
                    row=row,
                )
            )
        return UnitItemsInput(based_on=self.based_on, items=tuple(rows))
