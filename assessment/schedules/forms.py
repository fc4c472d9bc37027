from django import forms
from django.utils.translation import gettext_lazy as _

from registration.forms import DateInput
from registration.models import Application, Scheme

from ..models import TUK, Assessor
from .models import Schedule


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AssessorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name} ({obj.registration_number})"


class ApplicationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} · {obj.full_name}"


class ScheduleForm(forms.Form):
    """An assessment event; the rules (TUK verified on the date, qualified assessors, quota) are
    the service's, shown as a message when one refuses."""

    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=Scheme.objects.all())
    tuk = forms.ModelChoiceField(label=_("TUK"), queryset=TUK.objects.all())
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=Schedule.Mode.choices)
    meeting_link = forms.URLField(
        label=_("Meeting link (remote events)"), required=False, assume_scheme="https"
    )
    assessors = AssessorsField(
        label=_("Assessors"),
        queryset=Assessor.objects.filter(is_active=True).select_related("user"),
        widget=forms.CheckboxSelectMultiple,
    )
    quota = forms.IntegerField(label=_("Quota (candidates)"), min_value=1)
    registration_opens = forms.DateField(label=_("Registration opens"), widget=DateInput())
    registration_closes = forms.DateField(label=_("Registration closes"), widget=DateInput())
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=Schedule.Funding.choices)
    bnsp_code = forms.CharField(
        label=_("BNSP schedule code (KODE JADWAL)"), max_length=40, required=False
    )

    @classmethod
    def initial_of(cls, schedule):
        return {
            "scheme": schedule.scheme_id,
            "tuk": schedule.tuk_id,
            "starts_at": schedule.starts_at,
            "ends_at": schedule.ends_at,
            "mode": schedule.mode,
            "meeting_link": schedule.meeting_link,
            "assessors": list(schedule.assessors.values_list("pk", flat=True)),
            "quota": schedule.quota,
            "registration_opens": schedule.registration_opens,
            "registration_closes": schedule.registration_closes,
            "funding_source": schedule.funding_source,
            "bnsp_code": schedule.bnsp_code,
        }


class PlaceForm(forms.Form):
    applications = ApplicationsField(
        label=_("Eligible applications"),
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
