import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp_portal.dates import DateRangeValidator, widget_limits
from registration import apl02
from registration.forms import DateInput
from registration.models import Scheme

from .inputs import FeedbackAnswer
from .models import (
    DEFAULT_INSTRUMENTS,
    INSTRUMENTS_NOT_YET,
    MAX_UNIT_MINUTES,
    METHOD_OF_INSTRUMENT,
    TUK,
    Adjustment,
    AssessmentPlan,
    Assessor,
    EvidenceKind,
    Feedback,
    InstrumentKind,
    Method,
    ProcessReview,
    UnitResult,
)

VATM = ("valid", "authentic", "current", "sufficient")


def _small(field, css="form-control form-control-sm"):
    field.widget.attrs["class"] = css
    return field


class AssessorChoiceField(forms.ModelChoiceField):
    """Shows each assessor with their current workload (open assessments)."""

    def label_from_instance(self, obj):
        return _("%(name)s - %(reg)s - %(count)s open case(s)") % {
            "name": obj.user.full_name,
            "reg": obj.registration_number,
            "count": getattr(obj, "workload", 0),
        }


class AssignForm(forms.Form):
    assessor = AssessorChoiceField(queryset=Assessor.objects.none(), label=_("Assessor"))

    def __init__(self, *args, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = assessors
        self.fields["assessor"].widget.attrs["class"] = "form-select"


class ReassignForm(AssignForm):
    reason = forms.CharField(
        label=_("Reason for reassigning"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class PlanDefaultsForm(forms.Form):
    """Optional: one date and TUK for every unit (each row can still differ)."""

    date = forms.DateField(
        label=_("Test date for all units"),
        required=False,
        widget=DateInput(attrs=widget_limits()),
        validators=[DateRangeValidator()],
    )
    tuk = forms.ModelChoiceField(
        label=_("TUK for all units"), queryset=TUK.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="all", **kwargs)
        _small(self.fields["date"])
        _small(self.fields["tuk"], "form-select form-select-sm")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _radios(field):
    field.widget.attrs["class"] = "form-check-input"
    return field


class PlanHeaderForm(forms.Form):
    """FR.MAPA.01's header: approach, purpose, context, people to confirm with, start time."""

    approach = forms.ChoiceField(
        label=_("Assessment approach"),
        choices=AssessmentPlan.Approach.choices,
        widget=forms.RadioSelect,
    )
    approach_other = forms.CharField(label=_("Other approach"), required=False, max_length=200)
    purpose = forms.ChoiceField(
        label=_("Purpose of the assessment"),
        choices=AssessmentPlan.Purpose.choices,
        widget=forms.RadioSelect,
    )
    purpose_other = forms.CharField(label=_("Other purpose"), required=False, max_length=200)
    environment = forms.ChoiceField(
        label=_("Environment"), choices=AssessmentPlan.Environment.choices, widget=forms.RadioSelect
    )
    evidence_opportunity = forms.ChoiceField(
        label=_("Opportunity to gather evidence"),
        choices=AssessmentPlan.Opportunity.choices,
        widget=forms.RadioSelect,
    )
    assessed_by = forms.ChoiceField(
        label=_("Assessed by"), choices=AssessmentPlan.AssessedBy.choices, widget=forms.RadioSelect
    )
    confirm_with = forms.MultipleChoiceField(
        label=_("Confirm with the relevant people"),
        choices=AssessmentPlan.Confirm.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    confirm_with_other = forms.CharField(
        label=_("Other person (name, role)"), required=False, max_length=200
    )
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="mapa", **kwargs)
        for name in ("approach", "purpose", "environment", "evidence_opportunity", "assessed_by"):
            _radios(self.fields[name])
        _radios(self.fields["confirm_with"])
        for name in ("approach_other", "purpose_other", "confirm_with_other", "start_time"):
            _small(self.fields[name])
            if name != "start_time":
                self.fields[name].widget.attrs["placeholder"] = self.fields[name].label

    def groups(self):
        """Each choice of the header with its free text ("other"), as the page lays them out."""
        pairs = [
            ("approach", "approach_other"),
            ("purpose", "purpose_other"),
            ("environment", None),
            ("evidence_opportunity", None),
            ("assessed_by", None),
            ("confirm_with", "confirm_with_other"),
        ]
        return [(self[name], self[other] if other else None) for name, other in pairs]


class PlanItemForm(forms.Form):
    evidence_kinds = forms.MultipleChoiceField(
        label=_("Evidence"),
        choices=[(kind.value, kind.value) for kind in EvidenceKind],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"),
        choices=Method.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), required=False, min_value=1, max_value=MAX_UNIT_MINUTES
    )
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(attrs=widget_limits()),
        validators=[DateRangeValidator()],
    )
    tuk = forms.ModelChoiceField(label=_("TUK"), queryset=TUK.objects.all(), required=False)
    # FR.MAPA.02: the written tests FR.IA.05/06 are not offered yet (they come online later).
    instruments = forms.MultipleChoiceField(
        label=_("Instruments (FR.MAPA.02)"),
        choices=[
            (kind.value, kind.label) for kind in InstrumentKind if kind not in INSTRUMENTS_NOT_YET
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, unit, **kwargs):
        self.unit = unit
        super().__init__(*args, prefix=f"unit-{unit.pk}", **kwargs)
        _small(self.fields["date"])
        _small(self.fields["duration_minutes"])
        _small(self.fields["tuk"], "form-select form-select-sm")
        self.fields["methods"].widget.attrs["class"] = "form-check-input"
        self.fields["evidence_kinds"].widget.attrs["class"] = "form-check-input"
        self.fields["instruments"].widget.attrs["class"] = "form-check-input"

    def instrument_boxes(self):
        """Each instrument's checkbox with the method it serves and whether the method ticks
        it by default (portal.js ticks it when the method is chosen)."""
        defaults = {kind for kinds in DEFAULT_INSTRUMENTS.values() for kind in kinds}
        for box in self["instruments"]:
            code = box.data["value"]
            yield box, METHOD_OF_INSTRUMENT[code], code in defaults

    def values(self, defaults):
        data = self.cleaned_data
        return {
            "methods": data["methods"],
            "evidence_kinds": data["evidence_kinds"],
            "instruments": data["instruments"],
            "duration_minutes": data["duration_minutes"],
            "date": defaults.get("date") or data["date"],
            "tuk": defaults.get("tuk") or data["tuk"],
        }


class AgreementForm(forms.Form):
    """FR.AK.01: each party ticks the two statements for their part, then signs."""

    plan = forms.BooleanField(required=True)
    confidentiality = forms.BooleanField(required=True)

    STATEMENTS = {
        "applicant": (
            _(
                "I have received and understood the assessment plan (FR.MAPA.01) and agree to "
                "take part in the assessment."
            ),
            _(
                "I understand that the evidence I provide and that is gathered is used only for "
                "this assessment and is kept confidential."
            ),
        ),
        "assessor": (
            _(
                "I have explained the assessment plan (FR.MAPA.01) to the applicant and agree to "
                "carry it out."
            ),
            _(
                "I will keep the applicant's evidence and results confidential and use them only "
                "for this assessment."
            ),
        ),
    }

    def __init__(self, *args, party="applicant", **kwargs):
        super().__init__(*args, **kwargs)
        plan_label, confidentiality_label = self.STATEMENTS[party]
        self.fields["plan"].label = plan_label
        self.fields["confidentiality"].label = confidentiality_label


class EvidenceReviewForm(forms.Form):
    """9.2.5: VATM for the FR-APL-02 evidence of one element (or a unit answered as a whole)."""

    valid = forms.BooleanField(label=_("Valid"), required=False)
    authentic = forms.BooleanField(label=_("Asli"), required=False)
    current = forms.BooleanField(label=_("Terkini"), required=False)
    sufficient = forms.BooleanField(label=_("Memadai"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, unit, element=None, **kwargs):
        self.unit = unit
        self.element = element
        super().__init__(*args, prefix=apl02.form_prefix(self.key), **kwargs)
        for name in VATM:
            self.fields[name].widget.attrs["class"] = "form-check-input"
        _small(self.fields["note"])

    @property
    def key(self):
        """What the review is saved under (services.review_evidence)."""
        return self.element if self.element is not None else self.unit


class ProceedForm(forms.Form):
    proceed = forms.TypedChoiceField(
        label=_("Recommendation (9.2.6)"),
        choices=[
            ("yes", _("Recommended: the applicant proceeds to the competency test")),
            ("no", _("Not recommended")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required when not recommended; shown to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("proceed") is False and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason why the applicant is not recommended."))
        return data


class UnitResultForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label=_("Methods used"),
        choices=Method.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    evidence_observed = forms.CharField(
        label=_("Evidence observed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    valid = forms.BooleanField(label=_("Valid"), required=False)
    authentic = forms.BooleanField(label=_("Asli"), required=False)
    current = forms.BooleanField(label=_("Terkini"), required=False)
    sufficient = forms.BooleanField(label=_("Memadai"), required=False)
    result = forms.ChoiceField(
        label=_("Result"),
        choices=UnitResult.Result.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, unit, **kwargs):
        self.unit = unit
        super().__init__(*args, prefix=f"unit-{unit.pk}", **kwargs)
        for name in (*VATM, "methods", "result"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        for name in VATM:
            self.fields[name].widget.attrs["data-vatm-rule"] = name
        _small(self.fields["evidence_observed"])
        self.fields["evidence_observed"].widget.attrs["aria-label"] = _(
            "Evidence observed for unit %(unit)s"
        ) % {"unit": unit.code}

    @property
    def filled(self):
        """A unit is recorded only when its result is chosen: the methods come pre-ticked from
        the plan, so anything else on an untouched row says nothing about the test."""
        return bool(self.cleaned_data.get("result"))

    def vatm_boxes(self):
        """The four VATM checkboxes of this unit, each with its initial (V, A, T, M)."""
        return [(self[name], str(self.fields[name].label)[:1]) for name in VATM]

    def error_list(self):
        return [error for errors in self.errors.values() for error in errors]


class AdjustmentForm(forms.Form):
    """FR.AK.07: the reasonable adjustments. The rules (what a needed adjustment must give) are
    the service's (record_adjustment); the form only reads the fields."""

    needed = forms.TypedChoiceField(
        label=_("Does the candidate need a reasonable adjustment?"),
        choices=[
            ("no", _("No adjustment needed")),
            ("yes", _("Yes, an adjustment is needed")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    needs = forms.MultipleChoiceField(
        label=_("The candidate's needs"),
        choices=Adjustment.Need.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    description = forms.CharField(
        label=_("The candidate's situation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    adjustments = forms.CharField(
        label=_(
            "Adjustments to be made (time, format of the questions, reader or writer, "
            "equipment, place...)"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    agreed_with_candidate = forms.BooleanField(
        label=_("The adjustments were discussed and agreed with the candidate."), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("needed", "needs", "agreed_with_candidate"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        for name in ("description", "adjustments"):
            self.fields[name].widget.attrs["class"] = "form-control"


def _report_text(label):
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )


class SubmitRecommendationForm(forms.Form):
    """The submission (9.3.5) with the assessor's part of FR.AK.05, every field optional."""

    note = forms.CharField(
        label=_("Note to the LSP (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    aspects = _report_text(_("Positive and negative aspects of the assessment"))
    objection = _report_text(_("The candidate's objection to the result, if any"))
    improvements = _report_text(_("Suggestions for improvement"))
    notes = _report_text(_("Notes"))
    follow_up = _report_text(_("Follow-up needed: additional work and assessment (FR.AK.02)"))
    feedback = _report_text(_("Feedback to the candidate (FR.AK.02)"))


class ProcessReviewForm(forms.Form):
    """FR.AK.06: a checkbox per stage and principle, the dimensions of competency checked, and
    the two recommendations."""

    recommendations = forms.CharField(
        label=_("Recommendations for improvement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Dimensions of competency checked"),
        choices=ProcessReview.Dimension.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    consistency_recommendations = forms.CharField(
        label=_("Recommendations on the consistency of decisions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stage in ProcessReview.Stage.values:
            for principle in ProcessReview.Principle.values:
                self.fields[f"{stage}__{principle}"] = forms.BooleanField(required=False)

    def grid(self):
        """The checkbox fields by stage row, in the principles' column order."""
        return [
            {
                "stage": label,
                "cells": [self[f"{stage}__{p}"] for p in ProcessReview.Principle.values],
            }
            for stage, label in ProcessReview.Stage.choices
        ]

    def principles(self):
        return {
            stage: tuple(
                p for p in ProcessReview.Principle.values if self.cleaned_data[f"{stage}__{p}"]
            )
            for stage in ProcessReview.Stage.values
        }


class DeclineForm(forms.Form):
    comment = forms.CharField(
        label=_("Why do you not sign the result?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class FeedbackForm(forms.Form):
    """FR-AK-03: a yes/no answer and an optional comment per question, and a general comment."""

    comment = forms.CharField(
        label=_("Other comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, question in enumerate(Feedback.QUESTIONS):
            self.fields[f"q{index}"] = forms.TypedChoiceField(
                label=question,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
            )
            self.fields[f"c{index}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=500
            )

    def question_rows(self):
        return [(self[f"q{i}"], self[f"c{i}"]) for i in range(len(Feedback.QUESTIONS))]

    def answers(self):
        return [
            FeedbackAnswer(yes=self.cleaned_data[f"q{i}"], comment=self.cleaned_data[f"c{i}"])
            for i in range(len(Feedback.QUESTIONS))
        ]


# A BNSP registration number as BNSP writes it: "MET.000.004512 2021" (a serial, then the year;
# some records write a dot before the year).
MET_NUMBER = re.compile(r"MET\.\d{3}\.\d{6}[ .]\d{4}")


class AssessorRegistrationForm(forms.Form):
    """The Asesor role's registry data, on the people page (role_hooks): No. Reg. MET, its
    validity and the schemes (9.2.2). A person who was an assessor before starts from their
    record."""

    registration_number = forms.CharField(
        label=_("No. Reg. MET"),
        max_length=40,
        help_text=_("As on the BNSP registration, e.g. MET.000.004512 2021."),
    )
    registration_valid_until = forms.DateField(
        label=_("Registration valid until"),
        widget=DateInput(attrs=widget_limits()),
        validators=[DateRangeValidator()],
    )
    schemes = forms.ModelMultipleChoiceField(
        label=_("Schemes they may assess"),
        queryset=Scheme.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, person, **kwargs):
        self.person = person
        profile = Assessor.objects.filter(user=person).first()
        if profile is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "registration_number": profile.registration_number,
                "registration_valid_until": profile.registration_valid_until,
                "schemes": list(profile.schemes.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)

    def clean_registration_number(self):
        number = " ".join(self.cleaned_data["registration_number"].split()).upper()
        if not MET_NUMBER.fullmatch(number):
            raise ValidationError(
                _("Enter the No. Reg. MET as BNSP writes it, e.g. MET.000.004512 2021.")
            )
        others = Assessor.objects.filter(registration_number__iexact=number)
        if others.exclude(user=self.person).exists():
            raise ValidationError(_("This No. Reg. MET belongs to another assessor."))
        return number

    def clean_registration_valid_until(self):
        value = self.cleaned_data["registration_valid_until"]
        if value < timezone.localdate():
            raise ValidationError(
                _("This registration has lapsed: only a registered assessor is assigned (9.2.2).")
            )
        return value

    def to_input(self):
        from .services import AssessorRegistration

        return AssessorRegistration(
            registration_number=self.cleaned_data["registration_number"],
            valid_until=self.cleaned_data["registration_valid_until"],
            schemes=tuple(self.cleaned_data["schemes"]),
        )


class ObservationForm(forms.Form):
    """FR.IA.01 for one KUK: achieved Ya / Tidak (blank: not observed yet) and a note."""

    achieved = forms.ChoiceField(
        label=_("Achieved"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, kuk, **kwargs):
        self.kuk = kuk
        super().__init__(*args, prefix=f"kuk-{kuk.pk}", **kwargs)
        self.fields["achieved"].widget.attrs["class"] = "form-check-input"
        _small(self.fields["note"])

    @property
    def filled(self):
        return self.cleaned_data.get("achieved") in ("yes", "no")


class ObservationCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("General comment of the assessor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="ia01", **kwargs)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ItemRecordForm(forms.Form):
    """One item of an item instrument (FR.IA.02/03/04A/04B/07/09/11): the candidate's answer or
    work, satisfactory Ya / Tidak (blank: not asked yet) and a note."""

    satisfactory = forms.ChoiceField(
        label=_("Satisfactory"), choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    response = forms.CharField(
        label=_("The candidate's answer or work"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, item, **kwargs):
        self.item = item
        super().__init__(*args, prefix=f"item-{item.pk}", **kwargs)
        self.fields["satisfactory"].widget.attrs["class"] = "form-check-input"
        _small(self.fields["response"])
        _small(self.fields["note"])

    @property
    def filled(self):
        return self.cleaned_data.get("satisfactory") in ("yes", "no")


def _kuk_choices(kuks):
    return [(str(kuk.pk), f"{kuk.number} {kuk.text}") for kuk in kuks]


class PortfolioCheckForm(forms.Form):
    """FR.IA.08 for one piece of portfolio evidence: an uploaded document or one described,
    VATM, the KUK it shows and a note."""

    document = forms.ChoiceField(label=_("Uploaded document"), required=False)
    title = forms.CharField(
        label=_("Evidence (when not uploaded, or another name)"), required=False, max_length=255
    )
    valid = forms.BooleanField(label=_("Valid"), required=False)
    authentic = forms.BooleanField(label=_("Asli (authentic)"), required=False)
    current = forms.BooleanField(label=_("Terkini (current)"), required=False)
    sufficient = forms.BooleanField(label=_("Memadai (sufficient)"), required=False)
    kuks = forms.MultipleChoiceField(
        label=_("KUK shown"), widget=forms.CheckboxSelectMultiple, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, documents, kuks, **kwargs):
        super().__init__(*args, prefix="ia08", **kwargs)
        self.fields["document"].choices = [("", _("- shown on paper -"))] + [
            (str(doc.pk), doc.original_name) for doc in documents
        ]
        self.fields["kuks"].choices = _kuk_choices(kuks)
        self.fields["kuks"].widget.attrs["class"] = "form-check-input"
        self.fields["document"].widget.attrs["class"] = "form-select form-select-sm"
        _small(self.fields["title"])
        _small(self.fields["note"])
        for name in VATM:
            self.fields[name].widget.attrs["class"] = "form-check-input"


class ThirdPartyForm(forms.Form):
    """FR.IA.10: the third party, the date, the statement, whether it supports the
    competence, and the KUK it confirms."""

    person = forms.CharField(label=_("Name of the third party"), max_length=200)
    relation = forms.CharField(label=_("Position and relation to the candidate"), max_length=200)
    contact = forms.CharField(label=_("Telephone or e-mail"), max_length=200)
    clarified_on = forms.DateField(label=_("Clarified on"), widget=DateInput(attrs=widget_limits()))
    statement = forms.CharField(
        label=_("Statement"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    supports = forms.ChoiceField(
        label=_("Supports the competence"), choices=YES_NO, widget=forms.RadioSelect
    )
    kuks = forms.MultipleChoiceField(
        label=_("KUK confirmed"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, kuks, **kwargs):
        super().__init__(*args, prefix="ia10", **kwargs)
        self.fields["kuks"].choices = _kuk_choices(kuks)
        self.fields["kuks"].widget.attrs["class"] = "form-check-input"
        for name in ("person", "relation", "contact", "clarified_on", "statement"):
            _small(self.fields[name])
        self.fields["supports"].widget.attrs["class"] = "form-check-input"
