"""Eligibility (6.1, 6.2, 9.1.4) and completeness (9.1.2, 9.1.3, 9.1.5) as lists of named checks.

Each check passes or fails with a reason a person can act on ("Jam magang 399 < 400"). Both lists
are shown to the applicant before submitting and to staff while reviewing (9.1.6)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import apl02
from .models import Application


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    passed: bool
    reason: str


_PROGRAMME_PREFIX = re.compile(r"^(s1|s-1|d3|d4|program studi|prodi|jurusan)\s+")


def normalise_programme(name: str | None) -> str:
    name = re.sub(r"\s+", " ", (name or "").strip().casefold())
    while True:
        stripped = _PROGRAMME_PREFIX.sub("", name)
        if stripped == name:
            return name
        name = stripped


def eligibility_checks(application: Application) -> list[Check]:
    """The basic requirements of the scheme (6.1 study programme and courses, 6.2 experience)."""
    scheme = application.scheme
    checks = []
    accepted = scheme.study_programme_list()
    programme = normalise_programme(application.study_programme)
    ok = bool(programme) and programme in {normalise_programme(p) for p in accepted}
    checks.append(
        Check(
            "study_programme",
            _("Study programme: %(programmes)s (6.1)") % {"programmes": ", ".join(accepted)},
            ok,
            _("Study programme %(programme)s") % {"programme": application.study_programme}
            if ok
            else (
                _("Study programme %(programme)s is not %(programmes)s")
                % {"programme": application.study_programme, "programmes": ", ".join(accepted)}
                if application.study_programme
                else _("Study programme not filled in")
            ),
        )
    )
    completed = {c.pk for c in application.completed_courses.all()}
    for course in scheme.required_courses.all():
        done = course.pk in completed
        checks.append(
            Check(
                f"course_{course.pk}",
                _("Course completed: %(course)s (6.1)") % {"course": course.name},
                done,
                _("Course %(course)s completed") % {"course": course.name}
                if done
                else _("Course %(course)s not completed") % {"course": course.name},
            )
        )
    hours = application.relevant_experience_hours()
    minimum = scheme.min_experience_hours
    enough = hours >= minimum
    checks.append(
        Check(
            "experience_hours",
            _("At least %(minimum)s hours of relevant work or internship (6.2)")
            % {"minimum": minimum},
            enough,
            _("Internship hours %(hours)s >= %(minimum)s") % {"hours": hours, "minimum": minimum}
            if enough
            else _("Internship hours %(hours)s < %(minimum)s")
            % {"hours": hours, "minimum": minimum},
        )
    )
    return checks


def completeness_checks(
    application: Application, *, include_agreement: bool = False
) -> list[Check]:
    """What submission needs: every required document (9.1.2), an FR-APL-02 answer with evidence
    for every unit (9.1.3) and, at the moment of submitting, the agreement to the terms (9.1.5)."""
    checks = []
    personal_missing = [
        str(getattr(application._meta.get_field(name), "verbose_name", name))
        for name in application.PERSONAL_FIELDS
        if getattr(application, name) in ("", None)
    ]
    checks.append(
        Check(
            "personal_data",
            _("Personal and education data (FR-APL-01)"),
            not personal_missing,
            _("Complete")
            if not personal_missing
            else _("Missing: %(fields)s") % {"fields": ", ".join(personal_missing)},
        )
    )
    counts: dict[int, int] = {}
    for document in application.documents.all():
        if document.requirement_id:
            counts[document.requirement_id] = counts.get(document.requirement_id, 0) + 1
    for requirement in application.scheme.required_documents.all():
        have = counts.get(requirement.pk, 0)
        checks.append(
            Check(
                f"document_{requirement.code}",
                _("%(document)s (%(section)s)")
                % {"document": requirement.name, "section": requirement.section},
                have >= requirement.quantity,
                _("%(have)s of %(need)s files uploaded")
                % {"have": have, "need": requirement.quantity},
            )
        )
    units = apl02.unit_answers(application, with_kuks=False, with_evidence=False)
    questions = sum(len(u.questions) for u in units)
    unanswered = sum(u.unanswered for u in units)
    no_evidence = [u.unit.code for u in units if u.missing_evidence]
    by_element = any(u.elements for u in units)
    if unanswered and by_element:
        reason = _("%(count)s of %(total)s elements not answered") % {
            "count": unanswered,
            "total": questions,
        }
    elif unanswered:
        reason = _("%(count)s of %(total)s units not answered") % {
            "count": unanswered,
            "total": questions,
        }
    elif no_evidence and by_element:
        reason = _("Evidence missing for elements answered K in units: %(units)s") % {
            "units": ", ".join(no_evidence)
        }
    elif no_evidence:
        reason = _("Evidence missing for units answered K: %(units)s") % {
            "units": ", ".join(no_evidence)
        }
    elif by_element:
        reason = _("All %(total)s elements of %(units)s units answered") % {
            "total": questions,
            "units": len(units),
        }
    else:
        reason = _("All %(total)s units answered") % {"total": len(units)}
    checks.append(
        Check(
            "self_assessment",
            _("Self-assessment of every unit (FR-APL-02)"),
            not unanswered and not no_evidence,
            reason,
        )
    )
    return checks
