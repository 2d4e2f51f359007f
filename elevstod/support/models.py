"""The support chain as records (process.md design rule 1): each link is a row, not free text.

concern → extra adaptation → evaluation → referral (the case) → investigation (needs found)
→ decision → programme measure (linked to a need) → follow-up (per measure) → outcome.

States and the rules between them live in elevstod.support.workflow; services are the only
writers. Documents people edit together carry a `version` for conflict detection (rule 7).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from elevstod.core.models import BaseModel
from elevstod.support import workflow as wf
from elevstod.support.labels import (
    ADAPTATION_EFFECT_LABELS,
    ADAPTATION_NEXT_STEP_LABELS,
    ADAPTATION_STATE_LABELS,
    APPEAL_STATE_LABELS,
    CARRIED_OUT_LABELS,
    CASE_STATE_LABELS,
    CONCERN_SOURCE_LABELS,
    CONCERN_STATE_LABELS,
    DECISION_KIND_LABELS,
    FOLLOW_UP_KIND_LABELS,
    FOLLOW_UP_OUTCOME_LABELS,
    MEASURE_EFFECT_LABELS,
    MEASURE_SETTING_LABELS,
    NEED_CATEGORY_LABELS,
    PROGRAMME_STATE_LABELS,
    REFERRAL_GROUND_LABELS,
    choices,
)
from elevstod.support.workflow.communication import (
    CommunicationException,
    CommunicationPurpose,
)
from elevstod.support.workflow.investigations import WithheldGround

USER = settings.AUTH_USER_MODEL

# Why working notes are kept from the family (decision 0014).
WITHHELD_GROUND_LABELS = {
    WithheldGround.NOT_PART_OF_CASE: _(
        "Anteckningen har inte tillförts ärendet och beslutet grundas inte på den "
        "(10 § förvaltningslagen)"
    ),
    WithheldGround.HARM_TO_PUPIL: _(
        "Eleven kan antas lida betydande men om uppgiften röjs för vårdnadshavaren "
        "(12 kap. 3 § första stycket 1 offentlighets- och sekretesslagen)"
    ),
    WithheldGround.OTHERS_CIRCUMSTANCES: _(
        "Uppgiften rör någon annans personliga förhållanden (23 kap. 2 § och 10 kap. 3 § "
        "offentlighets- och sekretesslagen)"
    ),
}
COMMUNICATION_PURPOSE_LABELS = {
    CommunicationPurpose.NO_PROGRAMME: _("Beslut att inte utarbeta åtgärdsprogram"),
    CommunicationPurpose.CLOSURE: _("Beslut att avsluta åtgärdsprogram"),
}
# FL 25 § andra stycket 1–3.
COMMUNICATION_EXCEPTION_LABELS = {
    CommunicationException.NOT_ADVERSE: _(
        "Beslutet går inte parten emot, uppgiften saknar betydelse eller kommunicering är "
        "av någon annan anledning uppenbart obehövlig (25 § andra stycket 1 förvaltningslagen)"
    ),
    CommunicationException.HARDER_TO_CARRY_OUT: _(
        "Det kan befaras att det annars skulle bli avsevärt svårare att genomföra beslutet "
        "(25 § andra stycket 2 förvaltningslagen)"
    ),
    CommunicationException.CANNOT_WAIT: _(
        "Ett avgörande kan inte skjutas upp (25 § andra stycket 3 förvaltningslagen)"
    ),
}


class RaisedBy(models.TextChoices):
    STAFF = "staff", _("Personal")
    GUARDIAN = "guardian", _("Vårdnadshavare")
    PUPIL = "pupil", _("Eleven")


class PupilRecord(BaseModel):
    """Common fields of every record in the chain (process.md §2)."""

    pupil = models.ForeignKey("people.Pupil", on_delete=models.PROTECT, related_name="+")
    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    # The record type its changes are logged under in the timeline and the access log, its
    # drafts are kept under, and the policy names it by (access.policy.SupportRecord).
    RECORD_TYPE: ClassVar[str]

    class Meta:
        abstract = True


class ProviderDeadlines(BaseModel):
    """A huvudman's own deadlines (process.md §3); defaults from workflow.DeadlineSettings."""

    provider = models.OneToOneField(
        "organisation.EducationProvider", on_delete=models.CASCADE, related_name="deadlines"
    )
    receipt_days = models.PositiveSmallIntegerField(
        _("dagar till kvittens av anmälan"), default=wf.DEFAULT_DEADLINES.receipt_days
    )
    investigation_start_days = models.PositiveSmallIntegerField(
        _("dagar till påbörjad utredning"), default=wf.DEFAULT_DEADLINES.investigation_start_days
    )
    investigation_complete_days = models.PositiveSmallIntegerField(
        _("dagar till färdig utredning"),
        default=wf.DEFAULT_DEADLINES.investigation_complete_days,
    )
    decision_days = models.PositiveSmallIntegerField(
        _("dagar från bedömning till beslut"), default=wf.DEFAULT_DEADLINES.decision_days
    )
    adaptation_evaluation_days = models.PositiveSmallIntegerField(
        _("dagar till utvärdering av extra anpassning"),
        default=wf.DEFAULT_DEADLINES.adaptation_evaluation_days,
    )
    follow_up_interval_days = models.PositiveSmallIntegerField(
        _("dagar mellan uppföljningar"), default=wf.DEFAULT_DEADLINES.follow_up_interval_days
    )
    service_days = models.PositiveSmallIntegerField(
        _("dagar till delgivning av beslut"), default=wf.DEFAULT_DEADLINES.service_days
    )
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("huvudmannens tidsfrister")

    def as_settings(self) -> wf.DeadlineSettings:
        return wf.DeadlineSettings(
            receipt_days=self.receipt_days,
            investigation_start_days=self.investigation_start_days,
            investigation_complete_days=self.investigation_complete_days,
            decision_days=self.decision_days,
            adaptation_evaluation_days=self.adaptation_evaluation_days,
            follow_up_interval_days=self.follow_up_interval_days,
            service_days=self.service_days,
        )


class Concern(PupilRecord):
    """A first concern that the pupil may not reach the criteria (SL 3 kap. 5 §)."""

    RECORD_TYPE = "concern"

    source = models.CharField(_("källa"), max_length=30, choices=choices(CONCERN_SOURCE_LABELS))
    raised_by_kind = models.CharField(
        _("lämnad av"), max_length=10, choices=RaisedBy.choices, default=RaisedBy.STAFF
    )
    raised_on = models.DateField(_("datum"))
    subject = models.CharField(_("ämne eller situation"), max_length=100, blank=True)
    description = models.TextField(_("beskrivning"))
    state = models.CharField(
        _("status"),
        max_length=20,
        choices=choices(CONCERN_STATE_LABELS),
        default=wf.ConcernState.OPEN,
    )
    closed_reason = models.TextField(_("skäl för avslut"), blank=True)

    class Meta:
        verbose_name = _("oro")
        ordering = ["-raised_on", "-created_at"]
        indexes = [models.Index(fields=["pupil", "raised_on"])]


class Adaptation(PupilRecord):
    """An extra adaptation (SL 3 kap. 5 §). No formal decision; evaluated and documented."""

    RECORD_TYPE = "adaptation"

    concern = models.ForeignKey(
        Concern, on_delete=models.SET_NULL, null=True, blank=True, related_name="adaptations"
    )
    group = models.ForeignKey(
        "organisation.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undervisningsgrupp"),
    )
    subject = models.CharField(
        _("ämne"), max_length=100, blank=True, help_text=_("Tomt betyder ämnesövergripande.")
    )
    need_categories = models.JSONField(_("behovsområden"), default=list)
    need_description = models.TextField(_("behov"))
    measure = models.TextField(_("vad som görs"))
    responsible = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("ansvarig")
    )
    starts_on = models.DateField(_("start"))
    evaluate_on = models.DateField(_("planerad utvärdering"))
    guardian_informed_on = models.DateField(_("vårdnadshavare informerad"), null=True, blank=True)
    state = models.CharField(
        _("status"),
        max_length=10,
        choices=choices(ADAPTATION_STATE_LABELS),
        default=wf.AdaptationState.ACTIVE,
    )
    ended_on = models.DateField(_("avslutad"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("extra anpassning")
        verbose_name_plural = _("extra anpassningar")
        ordering = ["-starts_on", "-created_at"]
        indexes = [
            models.Index(fields=["pupil", "state"]),
            models.Index(fields=["group", "state"]),
            models.Index(fields=["responsible", "state", "evaluate_on"]),
            models.Index(fields=["school_unit", "state"]),
        ]


class AdaptationEvaluation(BaseModel):
    adaptation = models.ForeignKey(Adaptation, on_delete=models.CASCADE, related_name="evaluations")
    evaluated_on = models.DateField(_("datum"))
    evaluated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    effect = models.CharField(_("effekt"), max_length=20, choices=choices(ADAPTATION_EFFECT_LABELS))
    pupil_view = models.TextField(_("elevens syn"), blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    next_step = models.CharField(
        _("nästa steg"), max_length=10, choices=choices(ADAPTATION_NEXT_STEP_LABELS)
    )
    next_evaluation_on = models.DateField(_("nästa utvärdering"), null=True, blank=True)

    class Meta:
        verbose_name = _("utvärdering av extra anpassning")
        ordering = ["-evaluated_on", "-created_at"]


class Referral(PupilRecord):
    """A report to the principal (anmälan, SL 3 kap. 7 §) and the support case it opens.

    `state` is the case's state in workflow.CaseState. The principal's receipt starts the
    "skyndsamt" clock (process.md §2.2).
    """

    RECORD_TYPE = "referral"

    concern = models.ForeignKey(
        Concern, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    reported_on = models.DateField(_("datum"))
    reporter_role = models.CharField(_("anmälarens roll"), max_length=60, blank=True)
    ground = models.CharField(_("grund"), max_length=50, choices=choices(REFERRAL_GROUND_LABELS))
    description = models.TextField(_("beskrivning av svårigheterna"))
    results = models.TextField(_("relevanta resultat"), blank=True)
    adaptations = models.ManyToManyField(
        Adaptation, blank=True, related_name="referrals", verbose_name=_("prövade anpassningar")
    )
    guardian_informed = models.BooleanField(_("vårdnadshavare informerade"), default=False)
    pupil_informed = models.BooleanField(_("eleven informerad"), default=False)
    received_at = models.DateTimeField(_("rektors kvittens"), null=True, blank=True)
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("läge"), max_length=20, choices=choices(CASE_STATE_LABELS), default=wf.CaseState.REPORTED
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("anmälan till rektor")
        verbose_name_plural = _("anmälningar till rektor")
        ordering = ["-reported_on", "-created_at"]
        indexes = [
            models.Index(fields=["pupil", "state"]),
            models.Index(fields=["school_unit", "state"]),
        ]


class Investigation(PupilRecord):
    """Pedagogical investigation: mapping and assessment (SL 3 kap. 7 §; process.md §2.3)."""

    RECORD_TYPE = "investigation"

    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, related_name="investigation"
    )
    opened_on = models.DateField(_("påbörjad"))
    target_on = models.DateField(_("planerad att vara klar"))
    # settings.AUTH_USER_MODEL itself, not USER: django-stubs types the relation from it.
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="investigations", verbose_name=_("utredare")
    )
    # Kartläggning
    individual_level = models.TextField(_("individnivå"), blank=True)
    group_level = models.TextField(_("gruppnivå"), blank=True)
    school_level = models.TextField(_("skolnivå"), blank=True)
    results = models.TextField(_("resultat per ämne"), blank=True)
    adaptations_effect = models.TextField(_("givna anpassningar och deras effekt"), blank=True)
    pupil_view = models.TextField(_("elevens syn"), blank=True)
    guardian_view = models.TextField(_("vårdnadshavarnas syn"), blank=True)
    eht_consulted = models.BooleanField(_("samråd med elevhälsan har skett"), default=False)
    eht_consultation = models.TextField(_("elevhälsans bidrag"), blank=True)
    eht_skip_reason = models.TextField(
        _("skäl till att samråd är uppenbart obehövligt"), blank=True
    )
    # Pedagogisk bedömning
    cause_analysis = models.TextField(_("analys av orsakerna"), blank=True)
    special_support_needed = models.BooleanField(_("behov av särskilt stöd"), null=True, blank=True)
    proposed_measures = models.TextField(_("förslag på åtgärder"), blank=True)
    assessed_on = models.DateField(_("bedömd"), null=True, blank=True)
    closed_on = models.DateField(_("avslutad"), null=True, blank=True)
    # Staff-only working notes: the one part of a concluded investigation the family does not
    # read (FL 10 §), and only with a recorded ground and reason (decision 0014).
    working_notes = models.TextField(_("arbetsanteckningar"), blank=True)
    working_notes_withheld_ground = models.CharField(
        _("grund för att inte visa arbetsanteckningarna"),
        max_length=30,
        choices=choices(WITHHELD_GROUND_LABELS),
        blank=True,
    )
    working_notes_withheld_reason = models.TextField(
        _("skäl för att inte visa arbetsanteckningarna"), blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    # The staff-only fields: never shown to the family, never in the API's or the PDF's text.
    STAFF_ONLY_FIELDS = (
        "working_notes",
        "working_notes_withheld_ground",
        "working_notes_withheld_reason",
    )

    # The text fields people write together; autosave and conflicts cover these.
    TEXT_FIELDS = (
        "individual_level",
        "group_level",
        "school_level",
        "results",
        "adaptations_effect",
        "pupil_view",
        "guardian_view",
        "eht_consultation",
        "eht_skip_reason",
        "cause_analysis",
        "proposed_measures",
    )

    class Meta:
        verbose_name = _("pedagogisk utredning")
        verbose_name_plural = _("pedagogiska utredningar")
        indexes = [models.Index(fields=["school_unit", "closed_on"])]


class Need(BaseModel):
    """A need found, in terms of the school situation (SL 3 kap. 9 §), never a diagnosis: in
    the investigation, and carried into the programme that answers it."""

    category = models.CharField(
        _("behovsområde"), max_length=30, choices=choices(NEED_CATEGORY_LABELS)
    )
    description = models.TextField(_("behov"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "created_at"]


class InvestigationNeed(Need):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="needs")


class ActionProgramme(PupilRecord):
    """An action programme (SL 3 kap. 9 §). Decided versions are never edited (rule 5)."""

    RECORD_TYPE = "action_programme"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="programmes")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    state = models.CharField(
        _("status"),
        max_length=12,
        choices=choices(PROGRAMME_STATE_LABELS),
        default=wf.ProgrammeState.DRAFT,
    )
    revision_reason = models.TextField(_("skäl för revidering"), blank=True)
    pupil_participation_offered = models.BooleanField(
        _("eleven har erbjudits att delta"), default=False
    )
    pupil_view = models.TextField(_("elevens synpunkter"), blank=True)
    guardian_participation_offered = models.BooleanField(
        _("vårdnadshavarna har erbjudits att delta"), default=False
    )
    guardian_view = models.TextField(_("vårdnadshavarnas synpunkter"), blank=True)
    follow_up_on = models.DateField(_("uppföljning"), null=True, blank=True)
    follow_up_responsible = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig för uppföljning"),
    )
    evaluation_on = models.DateField(_("utvärdering"), null=True, blank=True)
    evaluation_responsible = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig för utvärdering"),
    )
    valid_until = models.DateField(_("gäller till"), null=True, blank=True)
    in_force_from = models.DateField(_("gäller från"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    TEXT_FIELDS = ("pupil_view", "guardian_view", "revision_reason")

    class Meta:
        verbose_name = _("åtgärdsprogram")
        verbose_name_plural = pgettext_lazy("plural", "åtgärdsprogram")
        ordering = ["-number"]
        indexes = [
            models.Index(fields=["pupil", "state"]),
            models.Index(fields=["school_unit", "state"]),
            models.Index(fields=["follow_up_responsible", "state", "follow_up_on"]),
            models.Index(fields=["evaluation_responsible", "state", "evaluation_on"]),
        ]


class ProgrammeNeed(Need):
    programme = models.ForeignKey(ActionProgramme, on_delete=models.CASCADE, related_name="needs")
    # The investigation's need it answers: the programme still shows what the investigation found.
    source = models.ForeignKey(
        InvestigationNeed, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )


class ProgrammeMeasure(BaseModel):
    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.CASCADE, related_name="measures"
    )
    need = models.ForeignKey(
        ProgrammeNeed, on_delete=models.CASCADE, related_name="measures", verbose_name=_("behov")
    )
    description = models.TextField(_("åtgärd"))
    # A draft may lack it; the decision refuses a measure without one (SL 3 kap. 9 §).
    responsible = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig"),
    )
    extent = models.CharField(_("omfattning"), max_length=200)
    setting = models.CharField(
        _("organisation"),
        max_length=30,
        choices=choices(MEASURE_SETTING_LABELS),
        default=wf.MeasureSetting.OWN_GROUP,
    )
    special_reasons = models.TextField(_("särskilda skäl"), blank=True)
    location = models.CharField(_("plats eller grupp"), max_length=200, blank=True)
    deviations = models.TextField(_("avvikelser från timplan, ämnen och mål"), blank=True)
    return_plan = models.TextField(_("hur återgång till ordinarie grupp utvärderas"), blank=True)
    starts_on = models.DateField(_("från"), null=True, blank=True)
    ends_on = models.DateField(_("till"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["responsible"])]


# A measure's own fields but its need and responsible, named alike in ProgrammeMeasure, the
# selectors' MeasureRow, the editor's form, services.MeasureInput and the API's MeasureIn, so
# that each reads, copies or writes them in one loop.
MEASURE_FIELDS = (
    "description",
    "extent",
    "setting",
    "special_reasons",
    "location",
    "deviations",
    "return_plan",
    "starts_on",
    "ends_on",
)


class Decision(PupilRecord):
    """A decision in the chain. Immutable once made (rule 5); served per recipient."""

    RECORD_TYPE = "decision"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("beslut"), max_length=30, choices=choices(DECISION_KIND_LABELS))
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    decided_on = models.DateField(_("beslutsdatum"))
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("beslutsfattare")
    )
    decided_by_name = models.CharField(_("beslutsfattare"), max_length=200)
    decided_by_title = models.CharField(_("befattning"), max_length=100)
    delegation = models.ForeignKey(
        "organisation.Delegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delegering"),
    )
    statement_of_reasons = models.TextField(_("motivering"))
    instead = models.TextField(_("vad som görs i stället"), blank=True)
    appeal_instructions = models.TextField(_("överklagandehänvisning"))

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = pgettext_lazy("plural", "beslut")
        ordering = ["-decided_on", "-created_at"]
        indexes = [
            models.Index(fields=["pupil", "decided_on"]),
            models.Index(fields=["school_unit", "decided_on"]),
        ]


class RecipientKind(models.TextChoices):
    GUARDIAN = "guardian", _("Vårdnadshavare")
    PUPIL = "pupil", _("Eleven")


class ServiceMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Överlämnat personligen")
    LETTER = "letter", _("Brev")
    DIGITAL = "digital", _("Digitalt")
    CONFIRMED_IN_APP = "confirmed_in_app", _("Bekräftat i Elevstöd")


class DecisionService(BaseModel):
    """Service of a decision on one recipient (delgivning). The appeal time runs from receipt."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="services")
    recipient_kind = models.CharField(_("mottagare"), max_length=10, choices=RecipientKind.choices)
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_name = models.CharField(_("namn"), max_length=200)
    sent_on = models.DateField(_("skickat"), null=True, blank=True)
    method = models.CharField(_("sätt"), max_length=20, choices=ServiceMethod.choices, blank=True)
    received_on = models.DateField(_("fick del av beslutet"), null=True, blank=True)
    appeal_deadline = models.DateField(_("sista dag att överklaga"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Corrections of received_on, oldest first: {on, by, from, to, reason}. The recorded day is
    # evidence (the appeal time runs from it) and is only changed through services.service_correct.
    corrections = models.JSONField(_("rättelser"), default=list, blank=True)

    class Meta:
        verbose_name = _("delgivning")
        ordering = ["recipient_kind", "recipient_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "recipient_kind", "guardian"], name="one_service_per_recipient"
            )
        ]


class Appeal(PupilRecord):
    """An appeal lodged with the school (FL 43–47 §§ via SL 29 kap. 11 §; SL 28 kap. 16 §)."""

    RECORD_TYPE = "appeal"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    service = models.ForeignKey(
        DecisionService, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appellant_name = models.CharField(_("klagande"), max_length=200)
    lodged_on = models.DateField(_("kom in"))
    deadline = models.DateField(_("sista dag"), null=True, blank=True)
    is_timely = models.BooleanField(_("i rätt tid"), default=True)
    # The appellant had not been served when the appeal came in: in time by definition (FL 44 §).
    not_served = models.BooleanField(_("klaganden var inte delgiven"), default=False)
    # FL 45 § andra stycket: a late appeal is not dismissed if either is true.
    reached_board_in_time = models.BooleanField(
        _("överklagandet kom in till nämnden i tid"), default=False
    )
    wrong_appeal_instructions = models.BooleanField(
        _("fel överklagandehänvisning lämnades"), default=False
    )
    # The decision made when the school changed its decision on reconsideration (FL 39 §: the
    # appeal then covers the new decision).
    new_decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_in_appeals",
        verbose_name=_("nytt beslut"),
    )
    content = models.TextField(_("vad som överklagas och varför"))
    state = models.CharField(
        _("status"),
        max_length=30,
        choices=choices(APPEAL_STATE_LABELS),
        default=wf.AppealState.REGISTERED,
    )
    handling_note = models.TextField(_("handläggning"), blank=True)
    forwarded_on = models.DateField(_("överlämnat"), null=True, blank=True)
    outcome_on = models.DateField(_("avgjort"), null=True, blank=True)

    class Meta:
        verbose_name = _("överklagande")
        verbose_name_plural = _("överklaganden")
        ordering = ["-lodged_on"]
        indexes = [models.Index(fields=["school_unit", "state"])]


class FollowUp(PupilRecord):
    """Follow-up or evaluation of a programme, per measure (SL 3 kap. 9 §; process.md §2.6)."""

    RECORD_TYPE = "follow_up"

    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.PROTECT, related_name="follow_ups"
    )
    kind = models.CharField(_("typ"), max_length=12, choices=choices(FOLLOW_UP_KIND_LABELS))
    planned_on = models.DateField(_("planerad"))
    held_on = models.DateField(_("genomförd"))
    participants = models.TextField(_("deltagare"), blank=True)
    pupil_invited = models.BooleanField(_("eleven inbjuden"), default=False)
    guardian_invited = models.BooleanField(_("vårdnadshavare inbjudna"), default=False)
    pupil_view = models.TextField(_("elevens syn"), blank=True)
    guardian_view = models.TextField(_("vårdnadshavarnas syn"), blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)
    outcome = models.CharField(
        _("resultat"), max_length=10, choices=choices(FOLLOW_UP_OUTCOME_LABELS)
    )
    next_on = models.DateField(_("nästa tillfälle"), null=True, blank=True)

    # Who took part in the meeting, the pupil's and the guardians' voices and the summary: what a
    # follow-up is written with beside its reviews (the form's and the API's fields, saved as
    # typed), and what the teaching part leaves out (process.md §4).
    MEETING_FIELDS = (
        "participants",
        "pupil_invited",
        "guardian_invited",
        "pupil_view",
        "guardian_view",
        "summary",
    )

    class Meta:
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar och utvärderingar")
        ordering = ["-held_on", "-created_at"]
        indexes = [models.Index(fields=["programme", "held_on"])]


class MeasureReview(BaseModel):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reviews")
    measure = models.ForeignKey(ProgrammeMeasure, on_delete=models.PROTECT, related_name="reviews")
    carried_out = models.CharField(
        _("genomförd som planerat"), max_length=10, choices=choices(CARRIED_OUT_LABELS)
    )
    effect = models.CharField(
        _("effekt på behovet"), max_length=20, choices=choices(MEASURE_EFFECT_LABELS)
    )
    comment = models.TextField(_("kommentar"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "measure"], name="one_review_per_measure")
        ]


class ParticipantView(BaseModel):
    """A view the pupil or a guardian adds themselves (rule 6: their voice has its own field)."""

    pupil = models.ForeignKey("people.Pupil", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    author_kind = models.CharField(_("från"), max_length=10, choices=RecipientKind.choices)
    programme = models.ForeignKey(
        ActionProgramme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participant_views",
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="participant_views"
    )
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.PROTECT, null=True, blank=True, related_name="participant_views"
    )
    text = models.TextField(_("synpunkt"))

    class Meta:
        ordering = ["created_at"]


class Communication(PupilRecord):
    """Kommunicering before an adverse decision (FL 25 § via SL 29 kap. 10 §; decision 0014):
    the material sent to the family, to whom, on which day and by when they may answer, and
    their answer; or the exception (FL 25 § andra stycket) and why. One of investigation (a
    decision not to draw up a programme) or programme (closing it against the family's view)."""

    RECORD_TYPE = "communication"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="communications")
    purpose = models.CharField(
        _("inför beslut"), max_length=20, choices=choices(COMMUNICATION_PURPOSE_LABELS)
    )
    investigation = models.ForeignKey(
        Investigation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communications",
    )
    programme = models.ForeignKey(
        ActionProgramme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communications",
    )
    sent_on = models.DateField(_("skickat"), null=True, blank=True)
    recipients = models.CharField(_("till"), max_length=300, blank=True)
    material = models.TextField(_("underlaget"), blank=True)
    answer_by = models.DateField(_("svar senast"), null=True, blank=True)
    answered_on = models.DateField(_("svar kom in"), null=True, blank=True)
    answer = models.TextField(_("svaret"), blank=True)
    answer_recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exception_ground = models.CharField(
        _("undantag"),
        max_length=30,
        choices=choices(COMMUNICATION_EXCEPTION_LABELS),
        blank=True,
    )
    exception_reason = models.TextField(_("skäl för undantaget"), blank=True)

    class Meta:
        verbose_name = _("kommunicering")
        verbose_name_plural = _("kommuniceringar")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(investigation__isnull=False) | Q(programme__isnull=False),
                name="communication_concerns_a_record",
            )
        ]


class ChainEvent(models.Model):
    """One row per change in a pupil's chain, written in the service's transaction.

    It is the pupil's timeline and the attribution of every change (who, when, what).
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    on_date = models.DateField()
    pupil = models.ForeignKey("people.Pupil", on_delete=models.PROTECT, related_name="+")
    school_unit = models.ForeignKey(
        "organisation.SchoolUnit", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(max_length=40)
    record_type = models.CharField(max_length=30)
    record_id = models.UUIDField()

    class Meta:
        ordering = ["-on_date", "-occurred_at", "-id"]
        indexes = [models.Index(fields=["pupil", "on_date"])]

    def __str__(self) -> str:
        return f"{self.on_date} {self.verb}"


class Draft(BaseModel):
    """A user's unsaved text for one document, kept by autosave (rule 7)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=30)
    record_id = models.UUIDField()
    base_version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "record_type", "record_id"], name="one_draft_per_document"
            )
        ]


class ReminderRun(models.Model):
    """One row per day the reminder job has run, so a day is never sent twice."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    emails_sent = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.day)
