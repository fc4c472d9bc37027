"""The certificate stage in the applicant's status tracker (registration.hooks)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Certificate


def steps_for(applications):
    """The latest certificate of each application (registration.hooks.journey), in one query."""
    latest = {}
    certificates = (
        Certificate.objects.filter(
            decision__assessment__application_id__in=[a.pk for a in applications]
        )
        .select_related("decision__assessment")
        .order_by("-created_at")
    )
    for certificate in certificates:
        latest.setdefault(certificate.decision.assessment.application_id, certificate)
    return {pk: _steps(certificate) for pk, certificate in latest.items()}


def _steps(certificate):
    url = reverse("certificates:detail", args=[certificate.pk])
    if certificate.status == Certificate.Status.PENDING:
        note = (
            _("Sign the certificate-use agreement")
            if not certificate.agreement_signed_at
            else _("Waiting for the fee to be recorded")
        )
        state = "attention" if not certificate.agreement_signed_at else "current"
        return [{"key": "certificate", "state": state, "note": note, "url": url}]
    return [
        {
            "key": "certificate",
            "state": "done" if certificate.public_status == "valid" else "failed",
            "note": certificate.public_status.label,
            "url": url,
        }
    ]
