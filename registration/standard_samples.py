"""SAMPLE texts of the elements and KUK (kriteria unjuk kerja) of the demo scheme's 15 units.

The scheme document (skema-sertifikasi-mhp) names only its units; their elements and KUK are
those of SKKNI 170/2016 (Kepmenaker), whose texts are not at hand here. These are sample texts,
written after the units' titles, so that the portal works end to end; they are marked as sample
(StandardVersion.is_sample) on the scheme page until staff import the official texts
(manage.py import_units or the scheme page).

MHP: unit code -> list of (element title, list of KUK texts); elements are numbered 1, 2, ...
and KUK 1.1, 1.2, ... in this order.
"""

SAMPLE_NOTE = (
    "Contoh teks elemen dan KUK (bukan teks resmi SKKNI 170/2016); impor teks resmi dari "
    "halaman skema."
)

MHP: dict[str, list[tuple[str, list[str]]]] = {
    "M.702093.001.01": [
        ("Menganalisis situasi pasar", ["Data pasar dikumpulkan sesuai kebutuhan perencanaan."]),
    ],
}
