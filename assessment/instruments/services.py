"""The instrument bank's services: import a new version from a spreadsheet, edit one unit's
items in the portal as a new version, export a version (assessment/instruments/sheet.py has the
layout and the rules)."""

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
from registration.models import Scheme, StandardVersion, Unit
from registration.standard import RowError

from ..inputs import UnitItemsInput
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
        bank = _write_bank(user, locked, standard, parsed, source_name=source_name)
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


def _write_bank(
    user: User,
    locked: Scheme,
    standard: StandardVersion,
    parsed: sheet.ParsedBank,
    *,
    source_name: str = "",
    note: str = "",
    is_sample: bool = False,
) -> InstrumentBank:
    """Write `parsed` as the next bank version of `locked` (a scheme row the caller holds
    locked), against `standard`: the one writer of an import and of a unit edited in the
    portal."""
    last = locked.instrument_banks.order_by("-number").values_list("number", flat=True)
    bank = InstrumentBank.objects.create(
        scheme=locked,
        standard=standard,
        number=(last.first() or 0) + 1,
        is_sample=is_sample,
        source_name=source_name,
        note=note,
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
    return bank


def editing_refused(
    scheme: Scheme, bank: InstrumentBank | None, standard: StandardVersion | None
) -> str | None:
    """Why `bank` (the scheme's current version) cannot be edited unit by unit, or None;
    `standard` is the scheme's current standard version.

    Items name the KUK of the bank's standard; once the scheme has a newer standard, an edit
    would write a new bank against the old one, so staff import a bank for the current standard
    instead (the copied items' KUK are not carried over silently)."""
    if bank is None:
        return _(
            "Scheme %(code)s has no instrument bank yet: import one from a spreadsheet first, "
            "then edit its units here."
        ) % {"code": scheme.code}
    if standard is not None and standard.pk != bank.standard_id:
        return _(
            "The instrument bank (version %(bank)d) was written against version %(old)d of the "
            "competency standard, and the scheme now has version %(new)d: import an instrument "
            "bank for version %(new)d first (download the current bank as a start), then edit "
            "its units here."
        ) % {"bank": bank.number, "old": bank.standard.number, "new": standard.number}
    return None


def edit_unit_items(user: User, scheme: Scheme, unit: Unit, data: UnitItemsInput) -> InstrumentBank:
    """Staff change the items (tasks, questions, expected answers, time, KUK covered) of one
    unit of the scheme's instrument bank in the portal; the save is the bank's next version,
    written against the same standard, the other units' items copied unchanged.

    The instruments are the LSP's assessment tools (9.2.3), held against the KUK of the
    bank's standard: the same rules as an import (sheet.parse_unit_items: the expected answer
    for FR.IA.03/FR.IA.07, only the unit's KUK, numbers once per instrument) and the same writer;
    versions are never changed, all or nothing - any problem raises sheet.InstrumentEditError
    (a RuleError) and writes nothing. Refused while the scheme's standard is newer than the
    bank's (editing_refused) and over a version other than the one shown (`data.based_on`).
    The new version keeps the sample flag while other units still hold the sample texts."""
    require_role(user, Role.STAFF)
    if unit.scheme_id != scheme.pk:
        raise RuleError(_("This unit belongs to another scheme."))
    with transaction.atomic():
        # The lock of imports of the bank and of the standard: the checks below hold to commit.
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        bank = current_instrument_bank(locked)
        refused = editing_refused(locked, bank, locked.current_standard())
        if refused is not None or bank is None:
            raise RuleError(refused or "")
        if bank.number != data.based_on:
            raise RuleError(
                _(
                    "Version %(number)d of the instrument bank was saved meanwhile; nothing was "
                    "saved. Open the unit again to edit that version."
                )
                % {"number": bank.number}
            )
        items = sheet.parse_unit_items(unit, bank.standard, data.items)
        parsed = sheet.replace_unit_items(bank, unit, items)
        is_sample = bank.is_sample and any(i.unit.pk != unit.pk for i in parsed.items)
        new = _write_bank(
            user,
            locked,
            bank.standard,
            parsed,
            note=_("Edited in the portal: unit %(code)s") % {"code": unit.code},
            is_sample=is_sample,
        )
        record(
            user,
            "instruments.edited",
            locked,
            bank=new.number,
            based_on=bank.number,
            standard=bank.standard.number,
            unit=unit.code,
            items=len(items),
            kuk_links=sum(len(i.kuks) for i in items),
        )
    return new


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
