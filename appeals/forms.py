from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lsp_portal.files import check_upload

from .models import Appeal

YES_NO = [(True, _("Yes")), (False, _("No"))]


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class AppealForm(forms.Form):
    """FR-AK-04, the appeal form (9.9.3)."""

    process_explained = _yes_no(_("Was the appeal process explained to you?"))
    discussed_with_assessor = _yes_no(_("Did you discuss the appeal with the assessor?"))
    involve_other_person = _yes_no(
        _("Do you want another person to be involved in the appeal process?")
    )
    other_person = forms.CharField(
        label=_("If yes: who, and their role"), max_length=200, required=False
    )
    reasons = forms.CharField(
        label=_("Reasons for the appeal"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_(
            "Describe what you consider unfair or incorrect in the assessment or decision."
        ),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, JPEG or PNG; at most %(count)s files.")
        % {"count": settings.APPEAL_MAX_ATTACHMENTS},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean_reasons(self):
        reasons = self.cleaned_data["reasons"].strip()
        if not reasons:
            raise ValidationError(_("Give the reasons for your appeal."))
        return reasons

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > settings.APPEAL_MAX_ATTACHMENTS:
            raise ValidationError(
                _("Attach at most %(count)s files.") % {"count": settings.APPEAL_MAX_ATTACHMENTS}
            )
        checked, errors = [], []
        for uploaded in files:
            try:
                checked.append(check_upload(uploaded))
            except ValidationError as error:
                errors.append(f"{uploaded.name}: {' '.join(error.messages)}")
        if errors:
            raise ValidationError(errors)
        return checked

    def clean(self):
        data = super().clean()
        if data.get("involve_other_person") and not data.get("other_person", "").strip():
            self.add_error("other_person", _("Say who should be involved."))
        return data


class AppointForm(forms.Form):
    """Lists the members who may be appointed; any Tim Banding user is accepted here so that the
    service explains a refusal (conflict, already appointed, 9.9.4)."""

    member = forms.ModelChoiceField(  # type: ignore[var-annotated]  # queryset set in __init__
        label=_("Appeal team member"), queryset=None
    )

    def __init__(self, *args, candidates, **kwargs):
        from lsp_portal.accounts.models import User
        from lsp_portal.accounts.roles import Role

        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = User.objects.with_role(Role.APPEAL_TEAM)
        field.choices = [("", "---------")] + [(user.pk, user.full_name) for user in candidates]


class FindingForm(forms.Form):
    text = forms.CharField(
        label=_("Finding"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    recommendation = forms.ChoiceField(
        label=_("Recommended outcome"), choices=Appeal.Outcome.choices, widget=forms.RadioSelect
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (Appeal.Outcome.UPHELD, _("Upheld: unfair treatment found; a reassessment (9.9.8.d)")),
            (Appeal.Outcome.DISMISSED, _("Dismissed: the decision stands")),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    confirm = forms.BooleanField(
        label=_("I understand the answer is final and binding (9.9.7) and cannot be changed.")
    )
