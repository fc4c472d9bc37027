from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

User = get_user_model()


class SignUpForm(BaseUserCreationForm):
    """Applicant sign-up: unique e-mail (any case), full name, password twice (validated)."""

    class Meta:
        model = User
        fields = ("email", "full_name")
        labels = {"email": _("E-mail address"), "full_name": _("Full name (as on your KTP)")}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
