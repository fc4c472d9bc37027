"""Application.standard: the version of the competency standard an application's FR-APL-02 is
answered against (9.1.3), pinned when it is opened.

Existing applications without any self-assessment answer are pinned to their scheme's newest
version; applications already answered per unit keep standard=None (their unit-level answers
stay as they are, never converted).
"""

import django.db.models.deletion
from django.db import migrations, models


def pin_unanswered(apps, schema_editor):
    Application = apps.get_model("registration", "Application")
    StandardVersion = apps.get_model("registration", "StandardVersion")
    newest: dict[int, int | None] = {}
    for application in Application.objects.filter(
        standard__isnull=True, self_assessments__isnull=True
    ).only("pk", "scheme_id"):
        if application.scheme_id not in newest:
            version = (
                StandardVersion.objects.filter(scheme_id=application.scheme_id)
                .order_by("-number")
                .first()
            )
            newest[application.scheme_id] = version.pk if version else None
        if newest[application.scheme_id] is not None:
            Application.objects.filter(pk=application.pk).update(
                standard_id=newest[application.scheme_id]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0007_standard_mhp_sample"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="standard",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="registration.standardversion",
                verbose_name="competency standard version",
            ),
        ),
        migrations.RunPython(pin_unanswered, migrations.RunPython.noop),
    ]
