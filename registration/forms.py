from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lsp_portal.dates import widget_limits
from lsp_portal.files import check_upload

from . import apl02
from .inputs import ElementInput, KUKInput, UnitStandardInput
from .models import Application, Experience, RequiredDocument, Scheme, SelfAssessment


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonalDataForm(forms.ModelForm):
    """FR-APL-01 parts a and b. Every field may stay empty in a draft; submission checks
    completeness."""

    class Meta:
        model = Application
        fields = [*Application.PERSONAL_FIELDS, "completed_courses"]
        widgets = {
            "birth_date": DateInput(),
            "address": forms.Textarea(attrs={"rows": 3}),
            "completed_courses": forms.CheckboxSelectMultiple,
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 16}),
            "gender": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["completed_courses"].queryset = self.instance.scheme.required_courses.all()
        self.fields["completed_courses"].help_text = _(
            "Tick the courses you have completed; your transcript must show them (6.1)."
        )
        self.fields["gender"].choices = Application.Gender.choices
        # Today's limits (up to yesterday), not those of the day the process started.
        self.fields["birth_date"].widget.attrs.update(widget_limits("birth"))
        self.fields["study_programme"].widget.attrs["list"] = "study-programmes"
        # One clear message for every malformed NIK (not Django's generic length message).
        self.fields["nik"].max_length = None
        self.fields["nik"].validators = []

    def clean_nik(self):
        nik = self.cleaned_data["nik"].replace(" ", "")
        if nik and not (len(nik) == 16 and nik.isascii() and nik.isdigit()):
            raise ValidationError(_("The NIK has exactly 16 digits."))
        return nik


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = Experience
        fields = ["organisation", "field", "role", "start_date", "end_date", "hours"]
        widgets = {
            "start_date": DateInput(attrs=widget_limits("history")),
            "end_date": DateInput(attrs=widget_limits("history")),
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = scheme.experience_fields.all()
        self.fields["field"].empty_label = _("Another field (hours do not count)")
        self.fields["hours"].widget.attrs["min"] = 0

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data


class DocumentUploadForm(forms.Form):
    requirement = forms.ModelChoiceField(
        queryset=RequiredDocument.objects.none(), label=_("Document")
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG; photos as JPEG or PNG."),
        allow_empty_file=True,
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = scheme.required_documents.all()
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean(self):
        data = super().clean()
        requirement, uploaded = data.get("requirement"), data.get("file")
        if requirement and uploaded:
            try:
                data["checked"] = check_upload(uploaded, images_only=requirement.images_only)
            except ValidationError as error:
                self.add_error("file", error)
        return data


class SelfAssessmentForm(forms.Form):
    """FR-APL-02 for one element of a unit (or a unit answered as a whole): K/BK, a note, and
    evidence (an FR-APL-01 document or a new file)."""

    answer = forms.ChoiceField(
        label=_("Can you do this?"),
        choices=SelfAssessment.Answer.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    # The application's documents, read once for all the page's forms (a ModelChoiceField
    # would query them again for each of the 45 rows).
    evidence = forms.TypedChoiceField(label=_("Evidence"), coerce=int, required=False)
    upload = forms.FileField(label=_("or upload new evidence"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, unit, documents, element=None, **kwargs):
        self.unit = unit
        self.element = element
        prefix = apl02.form_prefix(element if element is not None else unit)
        super().__init__(*args, prefix=prefix, **kwargs)
        self.documents = {document.pk: document for document in documents}
        self.fields["evidence"].choices = [("", _("(none)"))] + [
            (document.pk, str(document)) for document in self.documents.values()
        ]
        self.fields["evidence"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["upload"].widget.attrs.update(
            {"accept": ".pdf,.jpg,.jpeg,.png", "class": "form-control form-control-sm"}
        )
        self.fields["note"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["answer"].widget.attrs["class"] = "form-check-input"

    @property
    def question(self) -> str:
        """The element as the rest of "Dapatkah saya ...?"."""
        return apl02.question_phrase(self.element) if self.element is not None else ""

    @property
    def key(self):
        """What the answer is saved under (services.save_self_assessment)."""
        return self.element if self.element is not None else self.unit

    def clean_evidence(self):
        pk = self.cleaned_data.get("evidence")
        return self.documents.get(pk) if pk not in (None, "") else None

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            try:
                data["checked"] = check_upload(upload)
            except ValidationError as error:
                self.add_error("upload", error)
        answered = data.get("answer")
        if not answered and (upload or data.get("evidence") or data.get("note")):
            if self.element is not None:
                self.add_error("answer", _("Choose K or BK for this element."))
            else:
                self.add_error("answer", _("Choose K or BK for this unit."))
        return data


class SubmitForm(forms.Form):
    agree = forms.BooleanField(
        label=_(
            "I agree to meet the certification requirements and to provide any information "
            "needed for the assessment (9.1.5), and I declare that the data and documents I "
            "submitted are true."
        ),
        required=True,
        error_messages={"required": _("You must agree to the certification terms.")},
    )


class ReviewDecisionForm(forms.Form):
    ELIGIBLE = "eligible"
    REVISION = "revision"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (ELIGIBLE, _("Eligible: the applicant meets the requirements")),
            (REVISION, _("Ask for a revision")),
            (REJECT, _("Reject")),
        ],
    )
    note = forms.CharField(
        label=_("Note to the applicant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Required for a revision (what to fix) or a rejection (the reason)."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (self.REVISION, self.REJECT)
            and not data.get("note", "").strip()
        ):
            self.add_error(
                "note",
                _("Say what the applicant must fix.")
                if data["decision"] == self.REVISION
                else _("Give the reason for the rejection."),
            )
        return data


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Application.Status.choices],
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"),
        required=False,
        queryset=Scheme.objects.all(),
        empty_label=_("All schemes"),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].widget.attrs["class"] = "form-select form-select-sm"


class StandardImportForm(forms.Form):
    """The spreadsheet of a scheme's competency standard (registration/standard.py)."""

    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_(
            "One sheet; header kode_unit, judul_unit, no_elemen, elemen, no_kuk, kuk; one row per "
            "KUK. Download the current standard below for the layout."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (import nothing)"), required=False, initial=False
    )


# ---------------------------------------------------------------------------------------------
# The unit editor: one unit's elements and their KUK (services.edit_unit checks the rules)
# ---------------------------------------------------------------------------------------------

EXTRA_ELEMENTS = 1  # blank element rows under the unit's, to add one without JavaScript
EXTRA_KUKS = 3  # blank KUK rows under each element's
MAX_ROWS = 200


def _small(**attrs):
    return {"class": "form-control form-control-sm", **attrs}


class ElementRowForm(forms.Form):
    number = forms.CharField(
        label=_("No."), required=False, max_length=10, widget=forms.TextInput(_small())
    )
    title = forms.CharField(
        label=_("Element"), required=False, max_length=1000, widget=forms.TextInput(_small())
    )


class KUKRowForm(forms.Form):
    number = forms.CharField(
        label=_("No. KUK"), required=False, max_length=20, widget=forms.TextInput(_small())
    )
    text = forms.CharField(
        label=_("Performance criterion (KUK)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(_small(rows=2)),
    )


class RemoveCheckbox(forms.CheckboxInput):
    def __init__(self, attrs=None, check_test=None):
        super().__init__({"class": "form-check-input", **(attrs or {})}, check_test)


class RowFormSet(forms.BaseFormSet):
    """Rows of an editor: each may be ticked for removal; spare blank rows are left out."""

    deletion_widget = RemoveCheckbox


def row_formset(form, extra):
    return forms.formset_factory(
        form,
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
    )


ElementFormSet = row_formset(ElementRowForm, EXTRA_ELEMENTS)
KUKFormSet = row_formset(KUKRowForm, EXTRA_KUKS)


def blank(form) -> bool:
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    return not any(str(data.get(name) or "").strip() for name in form.base_fields)


def removed(form) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class UnitStandardForm:
    """The unit editor: the element rows (formset prefix "e") and, for each, its KUK rows
    ("e-<i>-k"), with spare blank rows to add to; a row ticked for removal or left blank is left
    out. `based_on` is the version shown. The rules themselves are standard.parse_unit's."""

    def __init__(self, data=None, *, version=None, elements=()):
        self.data = data
        self.based_on = version.number if version is not None else 0
        if data is not None:
            try:
                self.based_on = int(data.get("based_on", ""))
            except ValueError:
                self.based_on = -1
        elements = list(elements)
        self.elements = ElementFormSet(
            data, prefix="e", initial=[{"number": e.number, "title": e.title} for e in elements]
        )
        self.rows = []
        for index, form in enumerate(self.elements.forms):
            kuks = elements[index].kuks.all() if index < len(elements) else []
            self.rows.append(
                (
                    form,
                    KUKFormSet(
                        data,
                        prefix=f"e-{index}-k",
                        initial=[{"number": k.number, "text": k.text} for k in kuks],
                    ),
                )
            )

    def is_valid(self) -> bool:
        valid = self.based_on >= 0 and self.elements.is_valid()
        return all([valid, *(kuks.is_valid() for _form, kuks in self.rows)])

    def to_input(self) -> UnitStandardInput:
        elements = []
        for row, (form, kuks) in enumerate(self.rows, start=1):
            if removed(form):
                continue
            typed = tuple(
                KUKInput(number=k.cleaned_data["number"], text=k.cleaned_data["text"], row=j)
                for j, k in enumerate(kuks.forms, start=1)
                if not removed(k) and not blank(k)
            )
            if blank(form) and not typed:
                continue  # a spare element row left empty
            elements.append(
                ElementInput(
                    number=form.cleaned_data.get("number", ""),
                    title=form.cleaned_data.get("title", ""),
                    kuks=typed,
                    row=row,
                )
            )
        return UnitStandardInput(based_on=self.based_on, elements=tuple(elements))
