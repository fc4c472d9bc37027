"""What a certificate (and its card) shows, as plain data: hashed to skip re-renders, and passed
to the templates. The QR code encodes the public verification URL (segno, SVG)."""

import segno
from django.conf import settings
from django.utils import translation

from lsp_portal.dates import format_date


def _date(value):
    with translation.override(settings.LANGUAGE_CODE):
        return format_date(value)


def certificate_data(certificate):
    signatory = certificate.signatory
    return {
        "lsp": settings.LSP_NAME,
        "lsp_city": settings.LSP_CITY,
        "number": certificate.number,
        "holder": certificate.holder_name,
        "scheme": certificate.scheme_name,
        "scheme_number": certificate.scheme_number,
        "issued_on": _date(certificate.issued_on),
        "valid_until": _date(certificate.valid_until),
        "signatory": signatory.name if signatory else "",
        "signatory_title": signatory.title if signatory else "",
        "units": [
            {"code": unit.code, "title": unit.title}
            for unit in certificate.scope.order_by("number")
        ],
        "verify_url": certificate.verification_url(),
    }


def certificate_context(certificate, data=None):
    data = data or certificate_data(certificate)
    qr = segno.make(data["verify_url"], error="m")
    return {"data": data, "qr": qr.svg_data_uri(scale=4, border=1)}
