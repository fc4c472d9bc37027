"""The assessment stage in every state, built through the services so the fixtures follow the real
rules: eligible -> assigned -> declared -> planned -> agreed -> reviewed -> recorded -> recommended.

alice's application is assessed by `assessor` (Ana); `assessor2` (Andi) is qualified for the same
scheme but not assigned to alice's case.
"""

import datetime

import pytest
from django.utils import timezone

from assessment import services
from assessment.inputs import (
    EvidenceReviewInput,
    ObservationInput,
    PlanHeaderInput,
    PlanItemInput,
    UnitResultInput,
)
from assessment.models import TUK, Assessor, instruments_for_methods
from registration import apl02
from registration import services as registration_services
from registration.models import KUK

VATM = ("valid", "authentic", "current", "sufficient")
ALL_VATM = dict.fromkeys(VATM, True)
METHODS = ["observasi", "lisan"]


def today():
    return timezone.localdate()


def make_assessor(user, scheme, number, *, valid_until=None):
    """A registry entry, kept by staff in the admin (there is no service for the registry)."""
    profile = Assessor.objects.create(
        user=user,
        registration_number=number,
        registration_valid_until=valid_until or today() + datetime.timedelta(days=365),
    )
    if scheme is not None:
        profile.schemes.add(scheme)
    return profile


def make_tuk(verified_by, *, start, end, name="TUK Kampus UPJ"):
    return TUK.objects.create(
        name=name,
        address="Jl. Cendrawasih Raya, Bintaro, Tangerang Selatan",
        kind=TUK.Kind.SEWAKTU,
        verified_by=verified_by,
        verified_on=start,
        verified_until=end,
    )


def plan_items(assessment, tuk, *, date=None, methods=None, units=None, kinds=("L", "T")):
    units = assessment.application.scheme.units.all() if units is None else units
    return {
        unit: PlanItemInput(
            methods=tuple(methods or METHODS),
            evidence_kinds=tuple(kinds),
            duration_minutes=60,
            date=date or today(),
            tuk=tuk,
            instruments=tuple(instruments_for_methods(methods or METHODS)),
        )
        for unit in units
    }


def plan_header(**values):
    """FR.MAPA.01's header of a certification assessment by the LSP at a simulated workplace."""
    return PlanHeaderInput(
        **{
            "approach": "hasil_pelatihan",
            "purpose": "sertifikasi",
            "environment": "simulasi",
            "evidence_opportunity": "tersedia",
            "assessed_by": "lsp",
            "confirm_with": ("manajer_sertifikasi",),
            "start_time": datetime.time(9, 0),
            **values,
        }
    )


# The FR.MAPA.01 header as the plan page posts it (the "mapa" prefix of PlanHeaderForm).
PLAN_HEADER_FORM = {
    "mapa-approach": "hasil_pelatihan",
    "mapa-purpose": "sertifikasi",
    "mapa-environment": "simulasi",
    "mapa-evidence_opportunity": "tersedia",
    "mapa-assessed_by": "lsp",
    "mapa-confirm_with": ["manajer_sertifikasi"],
    "mapa-start_time": "09:00",
}


def plan_form(assessment, tuk, date, *, methods=("observasi", "tertulis"), kinds=("L", "T")):
    """The plan page's POST: the header and every unit's kinds, methods, minutes, date and TUK."""
    data = dict(PLAN_HEADER_FORM)
    for unit in assessment.application.scheme.units.all():
        prefix = f"unit-{unit.pk}"
        data[f"{prefix}-evidence_kinds"] = list(kinds)
        data[f"{prefix}-methods"] = list(methods)
        data[f"{prefix}-instruments"] = instruments_for_methods(methods)
        data[f"{prefix}-duration_minutes"] = "45"
        data[f"{prefix}-date"] = date.isoformat()
        data[f"{prefix}-tuk"] = tuk.pk
    return data


def reviews(assessment, **vatm):
    values = {**ALL_VATM, **vatm}
    return {
        key: EvidenceReviewInput(**values, note="")
        for key in apl02.answer_keys(assessment.application)
    }


def result_values(result="K", **values):
    """A unit's test record, all four VATM rules met unless `values` say otherwise."""
    return UnitResultInput(
        **{
            "methods": tuple(METHODS),
            "evidence_observed": "Mendemonstrasikan pengelolaan data pelanggan di CRM.",
            **ALL_VATM,
            **values,
            "result": result,
        }
    )


def all_results(assessment, result="K"):
    return {unit: result_values(result) for unit in assessment.application.scheme.units.all()}


def observe_all(assessor, assessment, units=None, *, achieved=True):
    """FR.IA.01 for every KUK of `units` (all the scheme's): each achieved, so that every KUK is
    covered and a unit may be K (9.3.3). The plan must use FR.IA.01 (the "observasi" method)."""
    units = assessment.application.scheme.units.all() if units is None else units
    for unit in units:
        kuks = KUK.objects.filter(
            element__unit=unit, element__version_id=assessment.application.standard_id
        )
        rows = {kuk: ObservationInput(achieved=achieved) for kuk in kuks}
        if rows:
            services.record_observations(assessor, assessment, unit, rows)
    return assessment


def record_all_k(assessor, assessment):
    """Every unit observed in full (FR.IA.01) and recorded K: the usual passing test."""
    observe_all(assessor, assessment)
    return services.record_results(assessor, assessment, all_results(assessment))


@pytest.fixture
def eligible(staff, submitted):
    """alice's application, confirmed eligible by staff (9.1.6)."""
    return registration_services.confirm_eligible(staff, submitted)


@pytest.fixture
def assessor_profile(assessor, scheme):
    return make_assessor(assessor, scheme, "MET.000.001234.2024")


@pytest.fixture
def assessor2_profile(assessor2, scheme):
    return make_assessor(assessor2, scheme, "MET.000.005678.2024")


@pytest.fixture
def tuk(staff):
    return make_tuk(
        staff,
        start=today() - datetime.timedelta(days=30),
        end=today() + datetime.timedelta(days=300),
    )


@pytest.fixture
def lapsed_tuk(staff):
    return make_tuk(
        staff,
        start=today() - datetime.timedelta(days=400),
        end=today() - datetime.timedelta(days=35),
        name="TUK Lama",
    )


@pytest.fixture
def assigned(staff, eligible, assessor_profile):
    return services.assign(staff, eligible, assessor_profile)


@pytest.fixture
def declared(assessor, assigned):
    return services.declare_impartiality(assessor, assigned)


@pytest.fixture
def planned(assessor, declared, tuk):
    return services.set_plan(assessor, declared, plan_items(declared, tuk), header=plan_header())


@pytest.fixture
def agreed(alice, assessor, planned):
    services.agree_plan(alice, planned, plan=True, confidentiality=True)
    return services.agree_plan(assessor, planned, plan=True, confidentiality=True)


@pytest.fixture
def reviewed(assessor, agreed):
    return services.review_evidence(assessor, agreed, reviews(agreed), proceed=True)


@pytest.fixture
def recorded(assessor, reviewed):
    return record_all_k(assessor, reviewed)


@pytest.fixture
def recommended(assessor, recorded):
    return services.submit_recommendation(assessor, recorded)
