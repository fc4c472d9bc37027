"""The same assessment submitted twice at the same moment (a double click, two tabs): one
submission. Two real PostgreSQL connections (threads); the service's row lock serialises them."""

import pytest

from assessment import services
from assessment.models import Assessment
from lsp_portal.audit.models import AuditEvent
from registration.models import Application
from tests.conftest import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submissions_at_once_submit_once(assessor, recorded):
    outcomes = run_concurrently(
        lambda: services.submit_recommendation(
            assessor, Assessment.objects.get(pk=recorded.pk), note="pertama"
        ),
        lambda: services.submit_recommendation(
            assessor, Assessment.objects.get(pk=recorded.pk), note="kedua"
        ),
    )
    assert outcomes == ["ok", "refused"]
    assessment = Assessment.objects.get(pk=recorded.pk)
    assert assessment.status == Assessment.Status.RECOMMENDED
    submissions = AuditEvent.objects.for_object(assessment).filter(action="assessment.submitted")
    assert submissions.count() == 1
    assert assessment.recommendation_note in ("pertama", "kedua")


def test_two_staff_assigning_at_once_give_one_assessment(
    staff, eligible, assessor_profile, assessor2_profile
):
    outcomes = run_concurrently(
        lambda: services.assign(staff, Application.objects.get(pk=eligible.pk), assessor_profile),
        lambda: services.assign(staff, Application.objects.get(pk=eligible.pk), assessor2_profile),
    )
    assert outcomes == ["ok", "refused"]
    assert Assessment.objects.filter(application=eligible).count() == 1
    assert AuditEvent.objects.filter(action="assessment.assigned").count() == 1
