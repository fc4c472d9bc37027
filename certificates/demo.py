"""Demo data for certificates (seed_demo): the signatory and fajar@'s issued certificate."""

from . import services
from .models import Certificate, Signatory


def seed_certificates(users, staff):
    Signatory.objects.get_or_create(
        is_current=True, defaults={"name": "Hastuti Naibaho", "title": "Direktur LSP"}
    )
    created = 0
    fajar = users["fajar@demo.test"]
    for certificate in Certificate.objects.filter(holder=fajar, status="pending"):
        services.sign_agreement(fajar, certificate, points=["9.8.1", "9.8.2", "9.8.3", "9.8.4"])
        certificate.refresh_from_db()
        services.record_fee(staff, certificate, amount=350_000)
        created += 1
    return created
