"""The instrument bank: one version (InstrumentBank) of a scheme's instrument texts, each item
(InstrumentItem) an FR.IA task or question of one unit that names the KUK it covers (9.2.3: the
assessor works with the LSP's assessment tools; 9.3.1: the methods of the competency test)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registration.models import KUK, Scheme, StandardVersion, Unit


class InstrumentKind(models.TextChoices):
    """The MUK 2023 instruments (FR.IA.01-FR.IA.11), by their form codes."""

    IA01 = "IA.01", _("FR.IA.01 Activity observation checklist")
    IA02 = "IA.02", _("FR.IA.02 Practical demonstration task")
    IA03 = "IA.03", _("FR.IA.03 Questions supporting observation")
    IA04A = "IA.04A", _("FR.IA.04A Structured project instructions")
    IA04B = "IA.04B", _("FR.IA.04B Short project assessment")
    IA05 = "IA.05", _("FR.IA.05 Written multiple-choice questions")
    IA06 = "IA.06", _("FR.IA.06 Written essay questions")
    IA07 = "IA.07", _("FR.IA.07 Oral questions")
    IA08 = "IA.08", _("FR.IA.08 Portfolio verification checklist")
    IA09 = "IA.09", _("FR.IA.09 Interview questions")
    IA10 = "IA.10", _("FR.IA.10 Third-party evidence clarification")
    IA11 = "IA.11", _("FR.IA.11 Instrument and product review checklist")


# The instruments whose items need an answer guide: the assessor judges the candidate's answer
# against it (FR.IA.03 and FR.IA.07 hold the expected answer next to the question).
GUIDE_REQUIRED = frozenset({InstrumentKind.IA03, InstrumentKind.IA07})


class InstrumentBank(models.Model):
    """One version of a scheme's instrument bank, written against one version of its competency
    standard (`standard`): each item's KUK are that version's. Never changed after it is made:
    an import adds the next version, so that what an assessment used stays known. `is_sample`
    marks texts written to make the portal work, not the LSP's validated instruments."""

    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="instrument_banks",
    )
    standard = models.ForeignKey(
        StandardVersion,
        verbose_name=_("competency standard version"),
        on_delete=models.PROTECT,
        related_name="instrument_banks",
    )
    number = models.PositiveIntegerField(_("version"))
    is_sample = models.BooleanField(_("sample texts"), default=False)
    note = models.TextField(_("note"), blank=True)
    source_name = models.CharField(_("imported file"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("instrument bank version")
        verbose_name_plural = _("instrument bank versions")
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "number"], name="instrument_bank_unique_per_scheme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} IA v{self.number}"


class InstrumentItem(models.Model):
    """A task or question of one instrument (`kind`) for one unit, numbered 1, 2, ... per unit
    and instrument. `guide` is the expected answer or answer guide (the equipment and
    instructions of an FR.IA.02 task); `minutes` the time allowed."""

    bank = models.ForeignKey(
        InstrumentBank,
        verbose_name=_("instrument bank version"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("competency unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("instrument"), max_length=8, choices=InstrumentKind.choices)
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    text = models.TextField(_("task or question"))
    guide = models.TextField(_("answer guide"), blank=True)
    minutes = models.PositiveIntegerField(
        _("time allowed (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    kuks = models.ManyToManyField(KUK, verbose_name=_("KUK covered"), related_name="+")

    class Meta:
        verbose_name = _("instrument item")
        verbose_name_plural = _("instrument items")
        ordering = ["bank", "unit__number", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "unit", "kind", "number"], name="instrument_item_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="instrument_item_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__isnull=True) | models.Q(minutes__gte=1),
                name="instrument_item_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}: {self.text[:60]}"


def current_instrument_bank(scheme: Scheme) -> InstrumentBank | None:
    """The newest version of the scheme's instrument bank, if any."""
    return (
        InstrumentBank.objects.filter(scheme=scheme)
        .select_related("standard")
        .order_by("-number")
        .first()
    )
