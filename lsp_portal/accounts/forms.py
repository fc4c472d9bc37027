from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import normalise_email

User = get_user_model()


class SignUpForm(SetPasswordMixin, forms.Form):
    """Applicant sign-up: e-mail address, full name, password twice (Django's validators).

    A plain form, not a ModelForm: a ModelForm checks the model's unique e-mail (and the
    case-insensitive constraint) and would say "already exists" - which tells anyone whether an
    address has an account (issue 12.7). Whether it exists is services.sign_up's business."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    full_name = forms.CharField(
        label=_("Full name (as on your KTP)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields()

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        self.validate_passwords()
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        # The validators compare the password with the e-mail address and the name.
        self.validate_password_for_user(
            User(
                email=self.cleaned_data.get("email", ""),
                full_name=self.cleaned_data.get("full_name", ""),
            )
        )


class EmailAddressForm(forms.Form):
    """One e-mail address: asking for a password reset or for the confirmation link again."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "unconfirmed": _(
            "Your e-mail address is not confirmed yet. Open the link in the e-mail we sent "
            "you when you signed up, or have it sent again."
        ),
    }
    #: True when the password was right but the address is not confirmed (the page offers to
    #: send the link again).
    unconfirmed = False

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.email_confirmed_at is None:
            self.unconfirmed = True
            raise ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")


class InviteForm(forms.Form):
    """Staff invite a person: the address the link goes to, and the name."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class PeopleFilterForm(forms.Form):
    STATUSES = [
        ("", _("Everyone")),
        ("active", _("Active")),
        ("invited", _("Invited, no password yet")),
        ("inactive", _("Deactivated")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(required=False, label=_("Role"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUSES)

    def __init__(self, *args, **kwargs):
        from .roles import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), ("none", _("No role")), *Role.choices]
        for name in ("role", "status"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget = forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("Name or e-mail")}
        )
        self.fields["q"].widget.input_type = "search"


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the history)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(),
    )
