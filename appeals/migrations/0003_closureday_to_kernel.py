"""ClosureDay leaves appeals for the kernel (lsp_portal.workdays, issue 14): the model leaves
appeals' state, its table and rows stay (workdays 0002 renames the table). The content type is
moved to the new app label, so the permissions granted on it (Admin LSP's) and any audit event
that points at a closure day keep pointing at the same rows."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="workdays", model="closureday").exists():
        ContentType.objects.filter(app_label="appeals", model="closureday").update(
            app_label="workdays"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="appeals", model="closureday").exists():
        ContentType.objects.filter(app_label="workdays", model="closureday").update(
            app_label="appeals"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0002_input_date_ranges'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('workdays', '0001_initial'),
    ]
    # The table must still be called appeals_closureday here (on a new database: just created by
    # appeals 0001); the kernel renames it afterwards, without naming appeals itself.
    run_before = [
        ('workdays', '0002_rename_table'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ClosureDay')],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
