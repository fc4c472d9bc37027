"""The instrument bank's services: import a new version from a spreadsheet, export a version
(assessment/instruments/sheet.py has the layout)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role, require_role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from registration.models import Scheme
from registration.standard import RowError

from . import sheet
from .models import InstrumentBank, InstrumentItem, current_instrument_bank
from .sheet import InstrumentImportError


@dataclass(frozen=True)
class InstrumentImport:
    """What an import wrote (`bank`) or, on a dry run (`bank` None), would write."""

    bank: InstrumentBank | None
    units: int
    items: int
    kuk_links: int


def _no_standard(scheme: Scheme) -> InstrumentImportError:
    return InstrumentImportError(
        [
            RowError(
                None,
                _(
                    "Scheme %(code)s has no competency standard (elements and KUK) yet: import "
                    "the standard first; the instruments refer to its KUK."
                )
                % {"code": scheme.code},
            )
        ]
    )


def import_instruments(
    user: User, scheme: Scheme, upload: IO[bytes], *, dry_run: bool = False
) -> InstrumentImport:
    """Staff import the scheme's instrument bank (the tasks, questions and expected answers of
    the FR.IA instruments per unit) from a spreadsheet as its next version, written against the
    scheme's current competency standard.

    The assessor verifies the scheme's requirements with the LSP's assessment tools (9.2.3) and
    the competency test uses its methods (9.3.1; observation/demonstration, written and oral
    questions, portfolio, interview): a version, once written, is never changed - an import
    always adds the next one, so that what an assessment used stays known. All or nothing: a
    file with any problem raises sheet.InstrumentImportError (a RuleError) listing each with
    its row, and writes nothing. `dry_run` checks and counts only."""
    require_role(user, Role.STAFF)
    standard = scheme.current_standard()
    if standard is None:
        raise _no_standard(scheme)
    parsed = sheet.read(scheme, standard, upload)
    counts = {
        "units": parsed.unit_count,
        "items": len(parsed.items),
        "kuk_links": parsed.kuk_link_count,
    }
    if dry_run:
        return InstrumentImport(bank=None, **counts)
    source_name = os.path.basename(getattr(upload, "name", "") or "")[:255]
    with transaction.atomic():
        # The scheme's row numbers two imports at once one after the other; a standard import
        # takes the same lock, so the standard read above is still the current one, or not.
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        current = locked.current_standard()
        if current is None or current.pk != standard.pk:
            raise RuleError(
                _(
                    "A new version of the competency standard was imported meanwhile; upload the "
                    "file again to check it against that version."
                )
            )
        last = locked.instrument_banks.order_by("-number").values_list("number", flat=True)
        bank = InstrumentBank.objects.create(
            scheme=locked,
            standard=standard,
            number=(last.first() or 0) + 1,
            is_sample=False,
            source_name=source_name,
            created_by=user,
        )
        items = InstrumentItem.objects.bulk_create(
            InstrumentItem(
                bank=bank,
                unit=p.unit,
                kind=p.kind,
                number=p.number,
                text=p.text,
                guide=p.guide,
                minutes=p.minutes,
            )
            for p in parsed.items
        )
        Link = InstrumentItem.kuks.through
        Link.objects.bulk_create(
            Link(instrumentitem_id=item.pk, kuk_id=kuk.pk)
            for item, p in zip(items, parsed.items, strict=True)
            for kuk in p.kuks
        )
        record(
            user,
            "instruments.imported",
            locked,
            bank=bank.number,
            standard=standard.number,
            source_name=source_name,
            units=parsed.unit_count,
            items=len(parsed.items),
            kuk_links=parsed.kuk_link_count,
        )
    return InstrumentImport(bank=bank, **counts)


def export_instruments(
    user: User | None, scheme: Scheme, bank: InstrumentBank | None = None
) -> bytes:
    """The spreadsheet of `bank` (default: the scheme's current version) in the layout
    import_instruments reads, so that an exported file imports back unchanged; only the header
    when the scheme has no bank yet (a file to fill in). The instruments are the LSP's assessment
    tools (9.2.3), kept confidential (7.1.3): staff only, and each export is audited. `user` is
    None for a management command run on the server (the audit records no actor)."""
    if user is not None:
        require_role(user, Role.STAFF)
    if bank is None:
        bank = current_instrument_bank(scheme)
    elif bank.scheme_id != scheme.pk:
        raise RuleError(_("This version belongs to another scheme."))
    content = sheet.write(scheme, bank)
    record(
        user,
        "instruments.exported",
        scheme,
        bank=bank.number if bank is not None else None,
        items=bank.items.count() if bank is not None else 0,
    )
    return content
