"""The sample element and KUK texts of the demo scheme cover its units and are well formed."""

import pytest

from registration import standard_samples
from registration.models import Scheme
from registration.standard_samples import MHP, check


def test_sample_texts_pass_their_self_check():
    assert check() == []


@pytest.mark.django_db
def test_sample_texts_cover_exactly_the_mhp_schemes_units():
    scheme = Scheme.objects.get(code="mhp")
    codes = list(scheme.units.order_by("number").values_list("code", flat=True))
    assert len(codes) == 15
    assert list(MHP) == codes


def test_self_check_reports_each_kind_of_problem(monkeypatch):
    monkeypatch.setattr(
        standard_samples,
        "MHP",
        {
            "X.1": [("Menyusun jadwal pertemuan", ["Jadwal disusun.", "Jadwal disusun."])],
            "X.2": [
                ("Menyusun jadwal pertemuan", ["Jadwal dikirim", "Jadwal diperiksa."]),
                ("Mencatat hasil.", ["Hasil dicatat."]),
            ],
        },
    )
    assert check() == [
        "X.1: 1 elemen (harus 2 sampai 4)",
        "X.1 KUK 1.2: teks sama dengan X.1 KUK 1.1",
        "X.2 elemen 1: judul sama dengan X.1 elemen 1",
        "X.2 KUK 1.1: tidak diakhiri titik",
        "X.2 elemen 2: judul elemen diakhiri titik",
        "X.2 elemen 2: 1 KUK (harus 2 sampai 4)",
    ]
