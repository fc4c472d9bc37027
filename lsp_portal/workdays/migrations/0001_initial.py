"""ClosureDay moves here from appeals with its table and rows: this migration only tells Django's
state that the model is now workdays.ClosureDay, still stored in the table appeals created
(appeals_closureday). appeals 0003 removes it from appeals' state and moves its content type (so
granted permissions are kept); 0002 here then renames the table. Nothing is copied or deleted."""

import lsp_portal.dates
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ClosureDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, validators=[lsp_portal.dates.DateRangeValidator()], verbose_name='date')),
                        ('description', models.CharField(max_length=150, verbose_name='description')),
                    ],
                    options={
                        'verbose_name': 'LSP closure day',
                        'verbose_name_plural': 'LSP closure days',
                        'ordering': ['date'],
                        'db_table': 'appeals_closureday',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
