"""Version 1 of the demo scheme's competency standard: the SAMPLE elements and KUK of
registration/standard_samples.py (MHP), marked is_sample with its SAMPLE_NOTE, so that the
portal works end to end until staff import the official texts of SKKNI 170/2016 (which add
version 2; versions are never changed).

Only the units listed in MHP get elements. Nothing is done when the scheme `mhp` does not exist
or already has a version. The reverse removes the sample version only while it is the scheme's
only one.
"""

from django.db import migrations

from registration.standard_samples import MHP, SAMPLE_NOTE


def load_sample(apps, schema_editor):
    Scheme = apps.get_model("registration", "Scheme")
    StandardVersion = apps.get_model("registration", "StandardVersion")
    Element = apps.get_model("registration", "Element")
    KUK = apps.get_model("registration", "KUK")
    scheme = Scheme.objects.filter(code="mhp").first()
    if scheme is None or StandardVersion.objects.filter(scheme=scheme).exists():
        return
    version = StandardVersion.objects.create(
        scheme=scheme, number=1, is_sample=True, note=SAMPLE_NOTE
    )
    units = {
        unit.code: unit
        for unit in apps.get_model("registration", "Unit").objects.filter(scheme=scheme)
    }
    position = 0
    for code, elements in MHP.items():
        unit = units.get(code)
        if unit is None:
            continue
        for element_number, (title, texts) in enumerate(elements, start=1):
            element = Element.objects.create(
                version=version, unit=unit, number=element_number, title=title
            )
            kuks = []
            for kuk_number, text in enumerate(texts, start=1):
                position += 1
                kuks.append(
                    KUK(
                        element=element,
                        number=f"{element_number}.{kuk_number}",
                        text=text,
                        position=position,
                    )
                )
            KUK.objects.bulk_create(kuks)


def unload_sample(apps, schema_editor):
    StandardVersion = apps.get_model("registration", "StandardVersion")
    versions = StandardVersion.objects.filter(scheme__code="mhp")
    if list(versions.values_list("number", "is_sample")) == [(1, True)]:
        versions.delete()


class Migration(migrations.Migration):
    dependencies = [("registration", "0006_competency_standard")]

    operations = [migrations.RunPython(load_sample, unload_sample)]
