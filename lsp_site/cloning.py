"""Capture the rows the services wrote for one case, and write copies of them in bulk (issue 14).

`capture()` runs a function (lsp_site.recipes.build) inside a transaction that is rolled back,
and keeps every row it inserted: a Template. `Template` compiles the rows into PostgreSQL COPY
text with a numbered slot for every value that differs from one copy to the next, and
`Template.write()` fills the slots for one copy:

- primary keys, and every foreign key or audit-trail object id that points at a captured row;
- moments and dates, shifted by whole days (so the hour of day and the day of the week of each
  step stay as the services left them; a case waits some days longer before its meeting);
- the applicant's person data (name, e-mail, NIK, birth date, ...), wherever it was written;
- the references (`reference` of a model: APL-..., ASM-...) and the running numbers (decree,
  certificate, answer letter: from the year counters, formatted with the settings' pattern),
  inside any text, including the audit trail's;
- UUIDs, the agenda position of a case on its meeting, and the people and meeting a copy is
  put with instead of the captured ones (another assessor, an existing meeting).

Rows that belong to a meeting rather than to a case (the meeting, attendance, minutes,
signatures, decree and their audit events) are written once per group of cases that share the
meeting. Everything else is copied as the services wrote it: statuses, audit actions, texts.
Uploaded files and rendered PDFs point at the generator's shared sample files.
"""

# ruff: noqa: S608 - SQL built from model metadata only, identifiers quoted

import datetime
import io
import json
import random
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from lsp_portal.audit.models import AuditEvent
from lsp_portal.files import private_storage
from lsp_portal.numbering import format_number
from lsp_portal.pdf import RenderedPDF

CAPTURED_APPS = (
    "accounts",
    "audit",
    "registration",
    "assessment",
    "decisions",
    "certificates",
    "appeals",
)
D = datetime.timedelta(days=1)


def _foreign_keys(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)
    ]


class _Rollback(Exception):
    pass


def captured_models() -> list[type[models.Model]]:
    """Every model with a serial primary key in the stages and the accounts/audit kernel apps,
    M2M tables included (the year counters, keyed by year, are numbered instead)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in CAPTURED_APPS or model._meta.proxy:
            continue
        if isinstance(model._meta.pk, models.AutoField):
            found.append(model)
    return found


def _marks(model_list: list[type[models.Model]]) -> dict[type[models.Model], int]:
    q = connection.ops.quote_name
    parts = [
        f"SELECT {i}, COALESCE(MAX({q(str(m._meta.pk.column))}), 0) FROM {q(m._meta.db_table)}"
        for i, m in enumerate(model_list)
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        found = dict(cursor.fetchall())
    return {model: found[i] for i, model in enumerate(model_list)}


@dataclass
class Captured:
    rows: dict[type[models.Model], list[dict[str, Any]]]
    result: Any
    extra: dict[str, Any] = field(default_factory=dict)


def capture(build: Callable[[], Any], inspect: Callable[[Any], dict[str, Any]]) -> Captured:
    """Run `build()` in a transaction that is rolled back, and return the rows it inserted, what
    it returned and what `inspect(result)` read while the rows were there. Files it stored are
    deleted afterwards; the outbox jobs it recorded (e-mails, renders) are rolled back unsent."""
    model_list = captured_models()
    rows: dict[type[models.Model], list[dict[str, Any]]] = {}
    result: Any = None
    extra: dict[str, Any] = {}
    try:
        with transaction.atomic():
            marks = _marks(model_list)
            result = build()
            for model in model_list:
                names = [f.attname for f in model._meta.concrete_fields]
                found = list(
                    model._base_manager.filter(pk__gt=marks[model]).order_by("pk").values(*names)
                )
                if found:
                    rows[model] = found
            extra = inspect(result)
            raise _Rollback
    except _Rollback:
        pass
    storage = private_storage()
    for model, found in rows.items():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                for row in found:
                    if row[f.attname]:
                        storage.delete(row[f.attname])
    return Captured(rows=rows, result=result, extra=extra)


# ------------------------------------------------------------------------------------------------
# COPY text
# ------------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


_json = json.JSONEncoder(ensure_ascii=False, default=str).encode


def copy_value(f: models.Field, value: Any) -> str:
    """The COPY text of one field's value."""
    if value is None:
        return "\\N"
    if isinstance(f, models.JSONField):
        return escape(_json(value))
    if isinstance(f, models.BooleanField):
        return "t" if value else "f"
    if isinstance(f, (models.DateTimeField, models.DateField)):
        return value.isoformat()
    return escape(str(value))


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


# ------------------------------------------------------------------------------------------------
# Slots: what differs between copies
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    kind: str  # id, world, moment, date, uuid, person, token, number, order
    key: Any = None


@dataclass
class Numbered:
    """A model whose rows take a running number per year: its counter, the setting with the
    number's pattern and the field whose date gives the year and month."""

    counter: type[models.Model]
    pattern: str
    date_field: str


def numbered_models() -> dict[type[models.Model], Numbered]:
    found = {}
    for model in apps.get_models():
        counter = getattr(model, "number_counter", None)
        if counter is not None:
            found[model] = Numbered(
                counter=counter(),
                pattern=getattr(settings, model.number_pattern_setting),  # type: ignore[attr-defined]
                date_field=model.number_date_field,  # type: ignore[attr-defined]
            )
    return found


@dataclass
class Copy:
    """What one copy of a case is: its shift in days (and the extra days its steps before the
    meeting happened earlier), its applicant, and the people and meeting rows put in place of
    the captured ones ((model, pk) -> pk)."""

    days: int
    early_days: int = 0
    late_minutes: int = 0  # after the last meeting row: the case's own steps a little later
    person: dict[str, Any] = field(default_factory=dict)
    world: dict[tuple[type[models.Model], int], int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # captured text -> replacement
    order: int = 1


@dataclass
class _Part:
    """The rows of one case, or of one meeting: per (model, with primary key) one format string."""

    formats: dict[tuple[type[models.Model], bool], str] = field(default_factory=dict)
    slots: set[int] = field(default_factory=set)
    counts: dict[type[models.Model], int] = field(default_factory=dict)


class Template:
    """The captured rows of one case, compiled for copying. `person_fields` names the fields
    (per model) that hold the applicant's own data; `tokens` maps captured texts to the key of
    the replacement (e.g. the applicant's name to "full_name")."""

    def __init__(
        self,
        captured: Captured,
        *,
        application_model: type[models.Model],
        meeting_model: type[models.Model],
        applicant_id: int | None,
        person_fields: dict[type[models.Model], dict[str, str]],
        person_tokens: dict[str, str],
        remappable: Iterable[tuple[type[models.Model], int]],
        name_tokens: Iterable[str],
        order_field: tuple[type[models.Model], str],
        number_fields: dict[tuple[type[models.Model], int], dict[str, Any]],
        samples: dict[str, str],
        sample_files: dict[str, tuple[int, str]],
        cutoff: datetime.datetime | None,
        drop_user: int | None = None,
    ):
        self.rows = captured.rows
        self.numbered = numbered_models()
        self.number_fields = number_fields
        self.remappable = set(remappable)
        self.cutoff = cutoff
        self.cutoff_date = timezone.localdate(cutoff) if cutoff else None
        self.slots: list[Slot] = []
        self.index: dict[Slot, int] = {}
        if drop_user is not None:
            self.rows = self._without_user(drop_user)
        self.by_pk = {(m, r["id"]): r for m, found in self.rows.items() for r in found}
        self.model_names = {m._meta.model_name: m for m in self.rows}
        content_types = {
            ContentType.objects.get_for_model(m, for_concrete_model=False).pk: m for m in self.rows
        }
        self.content_types = content_types
        self.referenced = self._referenced()
        self.owner = self._owners(application_model, meeting_model, applicant_id)
        self.applications = [r["id"] for r in self.rows.get(application_model, [])]
        self.meeting_model = meeting_model
        self.meetings = [r["id"] for r in self.rows.get(meeting_model, [])]
        self.order_field = order_field
        self.person_fields = person_fields
        self.samples = samples
        self.sample_files = sample_files
        tokens = {text: Slot("person", key) for text, key in person_tokens.items() if text}
        for model, found in self.rows.items():
            if hasattr(model, "reference"):
                for r in found:
                    tokens[self._reference(model, r)] = Slot("token", ("reference", model, r["id"]))
            numbered = self.numbered.get(model)
            if numbered:
                for r in found:
                    if r.get("number"):
                        tokens[r["number"]] = Slot("number", (model, r["id"], "number"))
        for text in name_tokens:
            if text:
                tokens.setdefault(text, Slot("token", ("name", text)))
        self.tokens = tokens
        ordered = sorted(tokens, key=len, reverse=True)
        self.token_pattern = (
            re.compile("|".join(re.escape(_braces(escape(t))) for t in ordered))
            if ordered
            else None
        )
        self.token_by_text = {_braces(escape(t)): s for t, s in tokens.items()}
        self.parts: dict[Any, _Part] = defaultdict(_Part)
        self._compile()
        self.last_group_moment = max(
            (
                r[f.attname]
                for (model, pk), owner in self.owner.items()
                if owner != "case" and (model, pk) in self.by_pk
                for r in [self.by_pk[(model, pk)]]
                for f in model._meta.concrete_fields
                if isinstance(f, models.DateTimeField) and r[f.attname] is not None
            ),
            default=None,
        )

    # -- analysis --------------------------------------------------------------------------------

    def _without_user(self, pk: int) -> dict[type[models.Model], list[dict[str, Any]]]:
        """The rows without the account of user `pk` (its row, its group memberships and the
        audit events about it): the copies belong to an existing user."""
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        user_type = ContentType.objects.get_for_model(user_model).pk
        kept = {}
        for model, rows in self.rows.items():
            if model is user_model:
                rows = [r for r in rows if r["id"] != pk]
            elif model is AuditEvent:
                rows = [
                    r
                    for r in rows
                    if not (r["content_type_id"] == user_type and r["object_id"] == str(pk))
                ]
            elif model._meta.auto_created and any(
                f.related_model is user_model for f in _foreign_keys(model)
            ):
                rows = [r for r in rows if pk not in (r.get("user_id"), r.get("from_user_id"))]
            if rows:
                kept[model] = rows
        return kept

    def _fk_target(self, f: models.Field) -> type[models.Model]:
        target: Any = f.related_model
        return target._meta.concrete_model

    def _audit_object(self, model: type[models.Model], row: dict[str, Any]) -> Any:
        if model is not AuditEvent:
            return None
        target = self.content_types.get(row["content_type_id"])
        if target is None:
            return None
        try:
            key = (target, int(row["object_id"]))
        except ValueError:
            return None
        return key if key in self.by_pk else None

    def _referenced(self) -> set[tuple[type[models.Model], int]]:
        found = set()
        for model, rows in self.rows.items():
            fks = _foreign_keys(model)
            for row in rows:
                for f in fks:
                    value = row[f.attname]
                    if value is not None and (self._fk_target(f), value) in self.by_pk:
                        found.add((self._fk_target(f), value))
                obj = self._audit_object(model, row)
                if obj:
                    found.add(obj)
                for f in model._meta.concrete_fields:
                    if isinstance(f, models.JSONField):
                        found.update(self._json_ids(row[f.attname]).values())
        return found

    def _json_ids(self, data: Any) -> dict[str, tuple[type[models.Model], int]]:
        """The captured rows a JSON object names by id, as the services record them in the
        audit trail's details: {"document_id": 12} or {"decree": 3} -> the key's row."""
        if not isinstance(data, dict):
            return {}
        found = {}
        for key, value in data.items():
            if type(value) is not int:
                continue
            model = self.model_names.get(key.removesuffix("_id"))
            if model is not None and (model, value) in self.by_pk:
                found[key] = (model, value)
        return found

    def _owners(self, application_model: Any, meeting_model: Any, applicant_id: Any) -> dict:
        """Each captured row belongs to the case ("case") or to one meeting (its pk)."""
        owner: dict[tuple[type[models.Model], int], Any] = {}
        for r in self.rows.get(application_model, []):
            owner[(application_model, r["id"])] = "case"
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        if applicant_id is not None:
            owner[(user_model, applicant_id)] = "case"
        for r in self.rows.get(meeting_model, []):
            owner[(meeting_model, r["id"])] = r["id"]
        changed = True
        while changed:
            changed = False
            for model, rows in self.rows.items():
                fks = _foreign_keys(model)
                for row in rows:
                    key = (model, row["id"])
                    if owner.get(key) == "case":
                        continue
                    found = owner.get(key)
                    targets = [(self._fk_target(f), row[f.attname]) for f in fks]
                    obj = self._audit_object(model, row)
                    if obj:
                        targets.append(obj)
                    for target in targets:
                        value = owner.get(target)
                        if value == "case":
                            found = "case"
                            break
                        if value is not None and found is None:
                            found = value
                    if found is not None and owner.get(key) != found:
                        owner[key] = found
                        changed = True
        return owner

    def _reference(self, model: type[models.Model], row: dict[str, Any]) -> str:
        return str(model(**row).reference)  # type: ignore[attr-defined]

    # -- compiling -------------------------------------------------------------------------------

    def _slot(self, slot: Slot) -> str:
        i = self.index.get(slot)
        if i is None:
            i = self.index[slot] = len(self.slots)
            self.slots.append(slot)
        return "{" + str(i) + "}"

    def _text(self, text: str, part: _Part) -> str:
        text = _braces(escape(text))
        if self.token_pattern is None:
            return text

        def replace(match: re.Match[str]) -> str:
            placeholder = self._slot(self.token_by_text[match.group(0)])
            part.slots.add(self.index[self.token_by_text[match.group(0)]])
            return placeholder

        return self.token_pattern.sub(replace, text)

    def _value(self, model: Any, f: models.Field, row: dict[str, Any], part: _Part) -> str:
        name = f.attname
        value = row[name]

        def slot(s: Slot) -> str:
            text = self._slot(s)
            part.slots.add(self.index[s])
            return text

        if f.primary_key:
            return slot(Slot("id", (model, value)))
        person = self.person_fields.get(model, {}).get(name)
        if person and value not in (None, ""):
            return slot(Slot("person", person))
        if f.is_relation and (f.many_to_one or f.one_to_one):
            if value is None:
                return "\\N"
            target = (self._fk_target(f), value)
            if target in self.by_pk:
                return slot(Slot("id", target))
            if target in self.remappable:
                return slot(Slot("world", target))
            return str(value)
        if model is AuditEvent and name == "object_id":
            obj = self._audit_object(model, row)
            if obj:
                return slot(Slot("id", obj))
            return _braces(escape(value))
        numbered = self.numbered.get(model)
        if numbered and name in ("year", "sequence", "number") and row.get("number"):
            return slot(Slot("number", (model, row["id"], name)))
        if (model, name) == self.order_field:
            return slot(Slot("order", (model, row["id"])))
        if value is None:
            return "\\N"
        if isinstance(f, models.DateTimeField):
            return slot(Slot("moment", value))
        if isinstance(f, models.DateField):
            return slot(Slot("date", value))
        if isinstance(f, models.UUIDField):
            return slot(Slot("uuid", (model, row["id"], name)))
        if isinstance(f, models.FileField):
            if not value:
                return ""
            return _braces(escape(self._sample_for(value)))
        if isinstance(f, models.JSONField):
            named = self._json_ids(value)
            if not named:
                return self._text(_json(value), part)
            marked = {**value, **{key: f"@@id:{key}@@" for key in named}}
            text = self._text(_json(marked), part)
            for key, target in named.items():
                text = text.replace(f'"@@id:{_braces(escape(key))}@@"', slot(Slot("id", target)))
            return text
        if isinstance(f, (models.CharField, models.TextField)):
            return self._text(value, part)
        return _braces(copy_value(f, value))

    def _sample_for(self, name: str) -> str:
        return (
            self.samples["image"]
            if name.lower().endswith((".jpg", ".jpeg", ".png"))
            else (self.samples["pdf"])
        )

    def _prepare(self, model: Any, row: dict[str, Any]) -> dict[str, Any]:
        """The captured row as the copies have it: stored files replaced by the sample files,
        and a rendered PDF in place of the render the rolled-back outbox never ran."""
        row = dict(row)
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField) and row[f.attname]:
                sample = self._sample_for(row[f.attname])
                row[f.attname] = sample
                if "size" in row and "sha256" in row:
                    row["size"], row["sha256"] = self.sample_files[sample]
        if issubclass(model, RenderedPDF):
            moments = [
                row[f.attname]
                for f in model._meta.concrete_fields
                if isinstance(f, models.DateTimeField) and row[f.attname] is not None
            ]
            row.update(
                pdf=self.samples["pdf"],
                pdf_status=RenderedPDF.PDFStatus.READY.value,
                pdf_version=1,
                pdf_error="",
                pdf_rendered_at=max(moments) if moments else None,
                pdf_render_ms=120,
            )
        return row

    def _compile(self) -> None:
        for model, rows in self.rows.items():
            fields = list(model._meta.concrete_fields)
            for row in rows:
                owner = self.owner.get((model, row["id"]), "case")
                part = self.parts[owner]
                with_pk = (model, row["id"]) in self.referenced
                prepared = self._prepare(model, row)
                values = [
                    self._value(model, f, prepared, part)
                    for f in fields
                    if with_pk or not f.primary_key
                ]
                key = (model, with_pk)
                part.formats[key] = part.formats.get(key, "") + "\t".join(values) + "\n"
                part.counts[model] = part.counts.get(model, 0) + 1

    # -- writing ---------------------------------------------------------------------------------

    def columns(self, model: type[models.Model], with_pk: bool) -> list[str]:
        return [str(f.column) for f in model._meta.concrete_fields if with_pk or not f.primary_key]

    def moment(self, value: datetime.datetime, copy: Copy) -> datetime.datetime:
        days = copy.days
        if self.cutoff is not None and value < self.cutoff:
            days -= copy.early_days
        elif self.last_group_moment is not None and value > self.last_group_moment:
            return value + days * D + datetime.timedelta(minutes=copy.late_minutes)
        return value + days * D

    def day(self, value: datetime.date, copy: Copy) -> datetime.date:
        days = copy.days
        if self.cutoff_date is not None and value < self.cutoff_date:
            days -= copy.early_days
        return value + days * D


class Writer:
    """Fills a template's slots for each copy and collects the COPY text per table."""

    def __init__(
        self, ids: Callable[[type[models.Model]], int], counters: dict, rng: random.Random
    ):
        self.ids = ids
        self.counters = counters  # counter model -> _YearCounter-like object with take(year)
        self.rng = rng
        self.text: dict[tuple[type[models.Model], bool], list[str]] = defaultdict(list)
        self.columns: dict[tuple[type[models.Model], bool], list[str]] = {}
        self.counts: dict[type[models.Model], int] = defaultdict(int)

    def group(
        self,
        template: Template,
        copies: list[Copy],
        *,
        existing: dict[tuple[type[models.Model], int], int] | None = None,
        moments: dict[datetime.datetime, datetime.datetime] | None = None,
        numbers: dict[Any, dict[str, Any]] | None = None,
    ) -> list[dict[Any, Any]]:
        """Write the copies of `template` that share its meetings (one set of meeting rows), or
        are put on existing ones (`existing`: the captured meeting rows' pks -> the existing
        rows'; `moments`: captured meeting moments -> the existing meeting's). Returns each
        copy's new primary keys."""
        values: list[Any] = [None] * len(template.slots)
        new_ids: list[dict[Any, Any]] = []
        group_parts = [p for owner, p in template.parts.items() if owner != "case"]
        case_part = template.parts.get("case")
        # The meeting rows' new pks and numbers, once per group (the existing ones' numbers).
        shared: dict[Any, Any] = dict(numbers or {})
        for n, copy in enumerate(copies):
            ids: dict[Any, Any] = {}
            for i, slot in enumerate(template.slots):
                values[i] = self._fill(template, slot, copy, existing, moments, ids, shared)
            new_ids.append(ids)
            if n == 0 and existing is None:
                for part in group_parts:
                    self._emit(template, part, values)
            if case_part is not None:
                self._emit(template, case_part, values)
        return new_ids

    def _id(self, template: Template, key: Any, ids: dict, shared: dict, existing: Any) -> int:
        store = ids if template.owner.get(key, "case") == "case" else shared
        if store is shared and existing is not None:
            return existing[key]
        new = store.get(key)
        if new is None:
            new = store[key] = self.ids(key[0])
        return new

    def _fill(self, template, slot, copy, existing, moments, ids, shared):  # noqa: ANN001
        kind, key = slot.kind, slot.key
        if kind == "id":
            return str(self._id(template, key, ids, shared, existing))
        if kind == "world":
            return str(copy.world.get(key, key[1]))
        if kind == "moment":
            if moments and key in moments:
                return moments[key].isoformat()
            return template.moment(key, copy).isoformat()
        if kind == "date":
            return template.day(key, copy).isoformat()
        if kind == "uuid":
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        if kind == "person":
            value = copy.person[key]
            return escape(value.isoformat() if hasattr(value, "isoformat") else str(value))
        if kind == "order":
            return str(copy.order)
        if kind == "token":
            what = key[0]
            if what == "name":
                return escape(copy.names.get(key[1], key[1]))
            model, pk = key[1], key[2]
            row = dict(template.by_pk[(model, pk)])
            row["id"] = self._id(template, (model, pk), ids, shared, existing)
            for f in model._meta.concrete_fields:
                if isinstance(f, models.DateTimeField) and row[f.attname] is not None:
                    row[f.attname] = template.moment(row[f.attname], copy)
            return escape(template._reference(model, row))
        if kind == "number":
            model, pk, part = key
            store = ids if template.owner.get((model, pk), "case") == "case" else shared
            numbers = store.get(("number", model, pk))
            if numbers is None:
                numbers = store[("number", model, pk)] = self._number(template, model, pk, copy)
            return escape(str(numbers[part]))
        raise ValueError(kind)

    def _number(self, template: Template, model: Any, pk: int, copy: Copy) -> dict[str, Any]:
        numbered = template.numbered[model]
        row = template.by_pk[(model, pk)]
        moment = row[numbered.date_field]
        if isinstance(moment, datetime.datetime):
            day = timezone.localdate(template.moment(moment, copy))
        else:
            day = template.day(moment, copy)
        sequence = self.counters[numbered.counter].take(day.year)
        number = format_number(
            numbered.pattern,
            seq=sequence,
            year=day.year,
            month=day.month,
            **template.number_fields.get((model, pk), {}),
        )
        return {"year": day.year, "sequence": sequence, "number": number}

    def flush(self) -> Counter:
        """COPY what was collected (on this thread's connection), and forget it. Returns rows
        written per model label."""
        written: Counter = Counter()
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            for (model, with_pk), lines in self.text.items():
                columns = ", ".join(q(c) for c in self.columns[(model, with_pk)])
                cursor.copy_expert(
                    f"COPY {q(model._meta.db_table)} ({columns}) FROM STDIN",
                    io.StringIO("".join(lines)),
                )
        for model, count in self.counts.items():
            written[model._meta.label] += count
        self.text.clear()
        self.counts.clear()
        return written

    def _emit(self, template: Template, part: _Part, values: list[Any]) -> None:
        for (model, with_pk), fmt in part.formats.items():
            key = (model, with_pk)
            if key not in self.columns:
                self.columns[key] = template.columns(model, with_pk)
            self.text[key].append(fmt.format(*values))
        for model, count in part.counts.items():
            self.counts[model] += count
