"""Version 1 of the demo scheme's instrument bank: SAMPLE texts, marked is_sample with
SAMPLE_NOTE, written for the portal from the unit, element and KUK titles of the scheme's current
competency standard, so that the instruments (9.2.3, 9.3.1) work end to end until staff import
the LSP's validated instruments (which add version 2; versions are never changed).

Per unit that has KUK: one FR.IA.02 practical task (with the time allowed), two FR.IA.03
questions supporting observation, two FR.IA.07 oral questions with the expected answer, one
FR.IA.09 interview question and one FR.IA.11 product review; together they cover every KUK of
the unit (the FR.IA.02 task and the FR.IA.11 review cover them all).

Nothing is done when the scheme `mhp` does not exist, has no standard version or already has a
bank (tests/conftest.py's ensure_seed_data calls load_sample_bank again after a flush). The
reverse removes the sample version only while it is the scheme's only one.
"""

from django.db import migrations

SAMPLE_NOTE = (
    "Contoh teks instrumen yang ditulis untuk portal dari judul unit, elemen, dan KUK (bukan "
    "instrumen resmi LSP yang telah divalidasi); impor instrumen LSP dari halaman bank instrumen."
)
EQUIPMENT = (
    "Peralatan: komputer dengan pengolah kata dan lembar kerja, akses internet, data contoh "
    "perusahaan dan formulir kerja dari asesor."
)


def _lower_first(text):
    """`text` to continue a sentence: its first letter small, unless it starts an acronym."""
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _numbers(kuks):
    return ", ".join(number for number, _text in kuks)


def sample_items(unit_title, elements):
    """The sample items of one unit: a list of (kind, number, text, guide, minutes, KUK numbers).

    `elements` is a list of (element title, [(KUK number, KUK text), ...]) in order."""
    elements = [(title, kuks) for title, kuks in elements if kuks]
    if not elements:
        return []
    every = [kuk for _title, kuks in elements for kuk in kuks]
    first_title, first_kuks = elements[0]
    last_title, last_kuks = elements[-1]
    steps = "; ".join(f"({n}) {_lower_first(title)}" for n, (title, _k) in enumerate(elements, 1))
    items = [
        (
            "IA.02",
            1,
            f"Skenario: Anda bekerja di bagian pemasaran sebuah perusahaan dan diminta "
            f'mengerjakan unit "{unit_title}" untuk produk yang ditentukan asesor. Peragakan '
            f"pekerjaan berikut secara berurutan: {steps}. Serahkan hasil kerja Anda kepada "
            f"asesor pada akhir waktu yang diberikan.",
            f"{EQUIPMENT} Instruksi: kerjakan setiap langkah sesuai KUK {_numbers(every)}; "
            f"tanyakan kepada asesor bila instruksi kurang jelas; hasil kerja dinilai dengan "
            f"ceklis observasi (FR.IA.01).",
            min(30 * len(elements), 180),
            [number for number, _text in every],
        )
    ]
    for number, index in enumerate(dict.fromkeys([0, len(elements) - 1]), 1):
        title, kuks = elements[index]
        items.append(
            (
                "IA.03",
                number,
                f"Mengapa langkah {_lower_first(title)} perlu dilakukan seperti yang Anda "
                f"peragakan, dan apa akibatnya bila langkah itu dilewatkan?",
                "Asesi menjelaskan bahwa "
                + "; ".join(_lower_first(text) for _n, text in kuks)
                + ", serta menyebutkan akibatnya bagi hasil kerja bila hal itu tidak dilakukan.",
                None,
                [n for n, _text in kuks],
            )
        )
    oral = dict.fromkeys([first_kuks[0], last_kuks[-1]])
    for number, (kuk_number, text) in enumerate(oral, 1):
        items.append(
            (
                "IA.07",
                number,
                f"Jelaskan bagaimana Anda memastikan bahwa {_lower_first(text)} "
                f"(KUK {kuk_number}).",
                f"Jawaban yang diharapkan: asesi menyebutkan langkah, data, dan dokumen yang "
                f"digunakan sehingga {_lower_first(text)}, serta memberi contoh dari pekerjaannya.",
                None,
                [kuk_number],
            )
        )
    items.append(
        (
            "IA.09",
            1,
            f'Ceritakan pengalaman Anda mengerjakan "{unit_title}" di tempat kerja atau tempat '
            f"magang: apa tugas Anda, bagaimana Anda {_lower_first(last_title)}, apa hasilnya, dan "
            f"kendala apa yang Anda hadapi?",
            "Asesi menceritakan pengalaman nyata yang menunjukkan bahwa "
            + "; ".join(_lower_first(text) for _n, text in last_kuks)
            + ", dan dapat menunjukkan bukti pendukungnya.",
            None,
            [n for n, _text in last_kuks],
        )
    )
    items.append(
        (
            "IA.11",
            1,
            f'Tinjau produk yang dihasilkan asesi pada tugas praktik unit "{unit_title}": '
            f"apakah produk lengkap, sesuai spesifikasi dan instruksi, serta dapat digunakan?",
            "Kriteria peninjauan: "
            + "; ".join(f"{n} {_lower_first(text)}" for n, text in every)
            + ".",
            None,
            [number for number, _text in every],
        )
    )
    return items


def load_sample_bank(apps, schema_editor):
    Scheme = apps.get_model("registration", "Scheme")
    StandardVersion = apps.get_model("registration", "StandardVersion")
    Element = apps.get_model("registration", "Element")
    KUK = apps.get_model("registration", "KUK")
    InstrumentBank = apps.get_model("assessment", "InstrumentBank")
    InstrumentItem = apps.get_model("assessment", "InstrumentItem")
    scheme = Scheme.objects.filter(code="mhp").first()
    if scheme is None or InstrumentBank.objects.filter(scheme=scheme).exists():
        return
    standard = StandardVersion.objects.filter(scheme=scheme).order_by("-number").first()
    if standard is None:
        return
    kuks_of = {}
    for kuk in KUK.objects.filter(element__version=standard).order_by("position"):
        kuks_of.setdefault(kuk.element_id, []).append(kuk)
    by_unit = {}
    for element in Element.objects.filter(version=standard).order_by("number"):
        by_unit.setdefault(element.unit_id, []).append((element, kuks_of.get(element.pk, [])))
    bank = InstrumentBank.objects.create(
        scheme=scheme, standard=standard, number=1, is_sample=True, note=SAMPLE_NOTE
    )
    items, links = [], []
    units = apps.get_model("registration", "Unit").objects.filter(scheme=scheme)
    for unit in units.order_by("number"):
        elements = by_unit.get(unit.pk, [])
        kuk = {k.number: k for _element, kuks in elements for k in kuks}
        texts = [(e.title, [(k.number, k.text) for k in kuks]) for e, kuks in elements]
        for kind, number, text, guide, minutes, numbers in sample_items(unit.title, texts):
            items.append(
                InstrumentItem(
                    bank=bank,
                    unit=unit,
                    kind=kind,
                    number=number,
                    text=text,
                    guide=guide,
                    minutes=minutes,
                )
            )
            links.append([kuk[n] for n in numbers])
    InstrumentItem.objects.bulk_create(items)
    Link = InstrumentItem.kuks.through
    Link.objects.bulk_create(
        Link(instrumentitem_id=item.pk, kuk_id=k.pk)
        for item, kuks in zip(items, links, strict=True)
        for k in kuks
    )


def unload_sample_bank(apps, schema_editor):
    InstrumentBank = apps.get_model("assessment", "InstrumentBank")
    banks = InstrumentBank.objects.filter(scheme__code="mhp")
    if list(banks.values_list("number", "is_sample")) == [(1, True)]:
        banks.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0008_instrument_bank"),
        ("registration", "0007_standard_mhp_sample"),
    ]

    operations = [migrations.RunPython(load_sample_bank, unload_sample_bank)]
