"""What the answer letter shows, as plain data (hashed to skip re-renders)."""

from django.conf import settings
from django.utils import translation

from lsp_portal.dates import format_date


def _date(value):
    """ "2 Des 2026": the Asia/Jakarta date of a moment (an appeal answered at 00:58 WIB on
    2 December was answered on 2 December, not on the 1st of UTC), in Indonesian."""
    with translation.override(settings.LANGUAGE_CODE):
        return format_date(value)


def answer_data(letter):
    with translation.override(settings.LANGUAGE_CODE):
        return _answer_data(letter)


def _answer_data(letter):
    appeal = letter.appeal
    decision = appeal.decision
    decree = getattr(getattr(decision.meeting, "minutes", None), "decree", None)
    return {
        "lsp": settings.LSP_NAME,
        "lsp_city": settings.LSP_CITY,
        "number": letter.number,
        "date": _date(appeal.answered_at),
        "reference": appeal.reference,
        "received": _date(appeal.received_at),
        "appellant": appeal.application.full_name,
        "scheme": appeal.application.scheme.name,
        "application": appeal.application.reference,
        "decree": decree.number if decree and decree.number else "",
        "decision": decision.get_result_display(),
        "upheld": appeal.outcome == "upheld",
        "reasons": appeal.answer,
        "director": appeal.answered_by.full_name,
        "team": [member.user.full_name for member in appeal.team.select_related("user")],
    }


def answer_context(letter):
    return {"data": answer_data(letter)}
