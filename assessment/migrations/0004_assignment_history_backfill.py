"""Assignment rows for the assessments that existed before assignments were kept (0003).

Each assessment gets the chain of who held it: the audit trail's "assessment.reassigned" events
name the assessor handed over from and to (as "Name (No. Reg. MET)"), with the staff member, time
and reason; Assessment.assigned_at and assigned_by are the first assignment. An assessor the event
names who is no longer in the registry is skipped; the current assessor always gets the open row.
"""

import re

from django.db import migrations

REGISTRATION = re.compile(r"\(([^()]*)\)\s*$")


def backfill(apps, schema_editor):
    Assessment = apps.get_model("assessment", "Assessment")
    Assessor = apps.get_model("assessment", "Assessor")
    Assignment = apps.get_model("assessment", "Assignment")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="assessment", model="assessment").first()
    by_number = dict(Assessor.objects.values_list("registration_number", "pk"))

    def assessor_named(text):
        match = REGISTRATION.search(text or "")
        return by_number.get(match.group(1)) if match else None

    events = {}
    if content_type is not None:
        for event in AuditEvent.objects.filter(
            content_type=content_type, action="assessment.reassigned"
        ).order_by("created_at", "id"):
            events.setdefault(event.object_id, []).append(event)
    rows = []
    for assessment in Assessment.objects.exclude(
        pk__in=Assignment.objects.values("assessment_id")
    ).iterator():
        started, by = assessment.assigned_at, assessment.assigned_by_id
        holder = None
        for event in events.get(str(assessment.pk), []):
            holder = assessor_named(event.data.get("from_assessor")) if holder is None else holder
            if holder is not None:
                rows.append(
                    Assignment(
                        assessment_id=assessment.pk,
                        assessor_id=holder,
                        assigned_by_id=by,
                        started_at=started,
                        ended_at=max(event.created_at, started),
                        ended_by_id=event.actor_id,
                        end_reason=event.reason,
                    )
                )
            started, by = max(event.created_at, started), event.actor_id or by
            holder = assessor_named(event.data.get("to_assessor"))
        rows.append(
            Assignment(
                assessment_id=assessment.pk,
                assessor_id=assessment.assessor_id,
                assigned_by_id=by,
                started_at=started,
            )
        )
    Assignment.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_assignment_history"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
