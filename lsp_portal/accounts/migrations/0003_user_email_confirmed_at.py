"""E-mail confirmation before the first log-in (issue 12.7): accounts that exist already are
confirmed, as of the day they joined."""

from django.db import migrations, models


def confirm_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_confirmed_at__isnull=True).update(
        email_confirmed_at=models.F("date_joined")
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="e-mail address confirmed at"
            ),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop),
    ]
