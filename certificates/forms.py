from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Certificate

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
    year = forms.IntegerField(label=_("Year issued"), required=False, min_value=2000)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=80)
