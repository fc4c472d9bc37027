"""The closure days' table gets the kernel app's name: appeals_closureday -> workdays_closureday
(ALTER TABLE ... RENAME: rows, ids and constraints are kept). Runs after appeals 0003 (its
run_before), so the table exists on a new database too."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workdays', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='closureday',
            table=None,
        ),
    ]
