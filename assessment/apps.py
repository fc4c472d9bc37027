from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from lsp_portal.accounts import role_hooks
        from lsp_portal.accounts.roles import Role
        from lsp_portal.audit import labels
        from registration import hooks

        from . import journey, services
        from .forms import AssessorRegistrationForm
        from .models import Assessment

        hooks.register_visibility(journey.assessor_visibility)
        hooks.register_journey(journey.steps_for)
        hooks.register_home(Role.ASSESSOR, "assessment:assessor_cases")
        post_migrate.connect(journey.grant_staff_registry_permissions, sender=self)
        # The Asesor role on the people pages: its registry record (No. Reg. MET, 9.2.2).
        role_hooks.register(
            role_hooks.RoleHook(
                Role.ASSESSOR,
                "assessor",
                form_class=AssessorRegistrationForm,
                grant=services.register_assessor,
                remove=services.retire_assessor,
                in_use=services.assessor_in_use,
                registry=services.assessor_registry,
                description=_("Assesses the cases assigned to them (9.2-9.3)."),
            )
        )
        labels.register(
            actions={
                "assessment.assigned": _("Assessor assigned"),
                "assessment.reassigned": _("Assessor reassigned"),
                "assessment.impartiality_declared": _("Impartiality declared"),
                "assessment.plan_set": _("Assessment plan set"),
                "assessment.plan_agreed": _("Assessment plan agreed"),
                "assessment.evidence_reviewed": _("Evidence reviewed (VATM)"),
                "assessment.adjustment_recorded": _("Reasonable adjustments recorded (FR.AK.07)"),
                "assessment.results_recorded": _("Test results recorded"),
                "assessment.observation_recorded": _("Observation checklist recorded (FR.IA.01)"),
                "assessment.submitted": _("Recommendation submitted to the LSP"),
                "assessment.result_signed": _("Result signed by the applicant"),
                "assessment.signature_declined": _("Applicant declined to sign"),
                "assessment.feedback_given": _("Feedback given (FR-AK-03)"),
                "assessment.process_reviewed": _("Assessment process reviewed (FR.AK.06)"),
                "assessment.reopened": _("Reopened for reassessment after an appeal"),
                "assessor.registered": _("Assessor registered (No. Reg. MET)"),
                "assessor.retired": _("Assessor record retired"),
                "instruments.imported": _("Instrument bank imported"),
                "instruments.edited": _("Instrument bank edited in the portal (one unit)"),
                "instruments.exported": _("Instrument bank exported"),
                "schedule.created": _("Assessment event created"),
                "schedule.updated": _("Assessment event changed"),
                "schedule.candidates_placed": _("Candidates placed in the assessment event"),
                "schedule.joined": _("Applicant joined the assessment event"),
                "schedule.cancelled": _("Assessment event cancelled"),
            },
            statuses=dict(Assessment.Status.choices),
        )
