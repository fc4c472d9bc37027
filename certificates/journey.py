"""The certificate stage in the applicant's status tracker (registration.hooks)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Certificate


def certificate_steps(application):
    certificate = (
        Certificate.objects.filter(decision__assessment__application=application)
        .order_by("-created_at")
        .first()
    )
    if certificate is None:
        return []
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
