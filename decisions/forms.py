from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Assessment
from lsp_portal.dates import DateRangeValidator, widget_limits

from .models import Decision, TechnicalTeamMember


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.user.full_name


class AgendaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} · {obj.application.full_name} · {obj.get_recommendation_display()}"


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeInput(attrs={key: f"{day}T00:00" for key, day in widget_limits().items()}),
        input_formats=["%Y-%m-%dT%H:%M"],
        validators=[DateRangeValidator()],
    )
    location = forms.CharField(label=_("Place or online link"), max_length=300)
    is_online = forms.BooleanField(label=_("Online meeting"), required=False)
    members = MemberChoiceField(
        label=_("Members invited"),
        queryset=TechnicalTeamMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    assessments = AgendaChoiceField(
        label=_("Recommendations on the agenda"),
        queryset=Assessment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, available, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = TechnicalTeamMember.objects.filter(
            is_active=True, user__is_active=True
        ).select_related("user")
        self.fields["assessments"].queryset = available


class AttendanceForm(forms.Form):
    present = MemberChoiceField(
        label=_("Members present"),
        queryset=TechnicalTeamMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = TechnicalTeamMember.objects.filter(
            attendances__meeting=meeting
        ).select_related("user")


class DecisionForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Result.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    basis = forms.CharField(
        label=_("Basis of the decision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("The recommendation and records checked (9.4.4)."),
    )
    reason = forms.CharField(
        label=_("Reason for deciding against the assessor's recommendation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


class ConflictForm(forms.Form):
    note = forms.CharField(label=_("How were you involved?"), max_length=500, required=False)


class TechnicalTeamMemberForm(forms.Form):
    """The Tim Teknis role's registry data, on the people page (role_hooks): the qualification
    (9.4.3). A former member starts from their record."""

    qualification = forms.CharField(
        label=_("Knowledge and certification experience (9.4.3)"),
        help_text=_("What qualifies this person to decide whether the requirements are met."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args, person, **kwargs):
        member = TechnicalTeamMember.objects.filter(user=person).first()
        if member is not None and "initial" not in kwargs:
            kwargs["initial"] = {"qualification": member.qualification}
        super().__init__(*args, **kwargs)

    def to_input(self):
        from .services import MemberRegistration

        return MemberRegistration(qualification=self.cleaned_data["qualification"])
