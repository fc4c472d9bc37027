from django import forms
from django.utils.translation import gettext_lazy as _

from lsp_portal.dates import DateRangeValidator, widget_limits
from registration.forms import DateInput
from registration.models import Scheme, Unit

from .models import Certificate, Ground

AGREEMENT_POINTS = [
    ("9.8.1", _("I will comply with the provisions of the certification scheme.")),
    (
        "9.8.2",
        _("I declare that the certificate I receive covers only the scope of competence granted."),
    ),
    (
        "9.8.3",
        _(
            "I will not use the certificate in any way that could discredit the LSP or that is "
            "misleading or unaccountable."
        ),
    ),
    (
        "9.8.4",
        _(
            "If the certificate is frozen or revoked, I will stop every use of it and of any claim "
            "referring to the LSP, and return the certificate issued by the LSP."
        ),
    ),
]


class AgreementForm(forms.Form):
    points = forms.MultipleChoiceField(
        label=_("Certificate-use agreement (9.8)"),
        choices=AGREEMENT_POINTS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Agree to all four points.")},
    )


class FeeForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount paid (Rupiah)"), min_value=0)


class RegistryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Certificate.Status.choices]
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), required=False, queryset=Scheme.objects.all(), empty_label=_("All")
    )
    year = forms.IntegerField(label=_("Year issued"), required=False, min_value=2000)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=80)


class WarnForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground (9.5.1)"), choices=Ground.choices)
    text = forms.CharField(
        label=_("Warning to the holder"), widget=forms.Textarea(attrs={"rows": 2})
    )


class FreezeForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground (9.5.1)"), choices=Ground.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    resolve_by = forms.DateField(
        label=_("To be resolved by"),
        widget=DateInput(attrs=widget_limits()),
        validators=[DateRangeValidator()],
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("How was it resolved?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReduceScopeForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units to remove"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, certificate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = certificate.scope.order_by("number")
        self.fields["units"].widget.attrs["class"] = "form-check-input"
