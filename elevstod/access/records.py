"""The one door to support records: pages, API, PDFs and exports get a record only here.

`get_support_record_for(ctx, kind, record_id, act=…)` loads the record in the shape its pages and
the API read, asks the policy (`can_view_support_record`, then `can_act` for `act`), writes one
access-log row, allowed or denied, and returns the record with the pupil's `PupilAccess`. A bad
id, a missing record, a record the user may not see and one they may see but not act on all give
the same 404 (security.md P1, P5); the last is `ActRefused`, a 404 the API answers 403 with the
rule that refused the act (`ACT_RULES`: its code, Swedish message and paragraph). A missing and a
forbidden record cost the same work (the same queries), so that their answer times do not tell
them apart either. Lists use the twin, `support_records_visible_to(ctx, kind)`: the same rule as
one filter.

Per record kind the table `RECORDS` says which model and shape, which acts are done on it,
which states the family never sees, and who is named on it (the participant). The participant
is computed once, in SQL, for the user asking: one annotation, `user_is_participant`, read for a
loaded record by `is_participant(record)` and filtered on by the list twin, so the two cannot
drift; a record loaded without it raises instead of silently denying.

Participants (staff named on a record; the family never counts as one, and a participant must
still have a staff relation to the pupil, `policy.can_view_support_record`):
- concern: the staff member who recorded it (SL 3 kap. 5 §);
- adaptation: the responsible teacher and the one who recorded it (process.md §2.1);
- referral: the reporter, and the investigators of the investigation opened on it: the report,
  with the adaptations tried and their effect, is what the investigation maps (SL 3 kap. 7 §,
  process.md §2.2–2.3; security.md P5 names the assigned investigator as a relation);
- investigation: its assigned investigators (SL 3 kap. 7 §, process.md S4);
- action programme: the staff it names, responsible for the follow-up, the evaluation or a
  measure (SL 3 kap. 9 §, process.md S6–S7);
- follow-up: the staff named in its programme, who carry out follow-up and evaluation (S7);
- decision and appeal: nobody; a decision is the rektor's or a delegate's and is handled by them
  (SL 2 kap. 10 §, FL 38–46 §§), and the case team and the family see it through their relation.
A participant may see the record and do its own work (`policy.PARTICIPANT_ACTS`), nothing more.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, Generic, TypedDict, TypeVar, Unpack, overload

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    Field,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    prefetch_related_objects,
)
from django.db.models.expressions import Combinable
from django.http import Http404
from django.utils.translation import gettext_noop

from elevstod.access.context import UserContext
from elevstod.access.lookup import AccessAttempt, PupilAccess, fact_prefetches, facts_of, parsed_id
from elevstod.access.policy import (
    FAMILY,
    STAFF_RELATIONS,
    SUPPORT_VIEWERS,
    Relation,
    SupportAct,
    SupportRecord,
    can_act,
    can_view_support_record,
    relations_to_pupil,
    sees_teaching_part_only,
)
from elevstod.access.scoping import pupils_related_q, union_of_ids
from elevstod.audit.models import AccessAction
from elevstod.people.models import Pupil
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    AdaptationEvaluation,
    Appeal,
    Concern,
    Decision,
    DecisionService,
    FollowUp,
    Investigation,
    MeasureReview,
    ParticipantView,
    ProgrammeMeasure,
    PupilRecord,
    Referral,
)
from elevstod.support.workflow.investigations import (
    family_may_read as family_may_read_investigation,
)

M = TypeVar("M", bound=PupilRecord)
RecordId = uuid.UUID | str

# The one name of the participant annotation. Read it through is_participant(), never getattr().
PARTICIPANT = "user_is_participant"


# ----------------------------------------------------------------------------- refused acts

SL_2_10 = "2 kap. 10 § skollagen"
SL_3_5 = "3 kap. 5 § skollagen"
SL_3_7 = "3 kap. 7 § skollagen"
SL_3_9 = "3 kap. 9 § skollagen"

# Why each act is refused to someone the policy does not let do it (policy.SUPPORT_ACTORS): the
# rule, in Swedish, and where it comes from. Deciding is refused as the workflow refuses a
# member of staff without delegation, word for word (decision 0012); the policy lets every staff
# relation reach the decision, so staff are refused by the workflow itself and this rule is left
# for those who never decide (the family, and staff who are family: jäv, FL 16 §).
ACT_RULES: dict[SupportAct, wf.Refused] = {
    SupportAct.RAISE_CONCERN: wf.Refused(
        "act.staff_records_concern",
        gettext_noop(
            "En oro för en elev dokumenteras av personal med tjänst vid elevens skolenhet. "
            "Eleven och vårdnadshavarna lämnar sin oro som en egen oro."
        ),
        SL_3_5,
    ),
    SupportAct.SUBMIT_CONCERN: wf.Refused(
        "act.family_submits_concern",
        gettext_noop(
            "En egen oro lämnas av eleven eller en vårdnadshavare. Personal dokumenterar "
            "sin oro som personal."
        ),
        SL_3_5,
    ),
    SupportAct.MANAGE_ADAPTATIONS: wf.Refused(
        "act.adaptations_by_teaching_staff",
        gettext_noop(
            "Extra anpassningar ges och utvärderas av elevens lärare, mentor och elevhälsa "
            "inom den ordinarie undervisningen, eller av den som är ansvarig för anpassningen."
        ),
        SL_3_5,
    ),
    SupportAct.REFER: wf.Refused(
        "act.staff_refer",
        gettext_noop(
            "Anmälan till rektorn görs av personal vid skolan. Eleven och vårdnadshavarna kan "
            "i stället lämna en oro."
        ),
        SL_3_7,
    ),
    SupportAct.RECEIVE_REFERRAL: wf.Refused(
        "act.principal_receives_referral",
        gettext_noop(
            "Anmälan tas emot av rektorn, som ser till att elevens behov skyndsamt utreds."
        ),
        SL_3_7,
    ),
    SupportAct.OPEN_INVESTIGATION: wf.Refused(
        "act.principal_opens_investigation",
        gettext_noop("Det är rektorn som ser till att elevens behov av särskilt stöd utreds."),
        SL_3_7,
    ),
    SupportAct.WRITE_INVESTIGATION: wf.Refused(
        "act.investigators_write",
        gettext_noop(
            "Utredningen skrivs av den som har fått i uppdrag att utreda, av specialpedagog "
            "eller speciallärare vid enheten eller av rektorn."
        ),
        SL_3_7,
    ),
    SupportAct.DRAFT_PROGRAMME: wf.Refused(
        "act.programme_drafters",
        gettext_noop(
            "Åtgärdsprogrammet utarbetas av rektorn, elevens mentor eller specialpedagog "
            "eller speciallärare vid enheten."
        ),
        SL_3_9,
    ),
    SupportAct.DECIDE: wf.Refused(
        "decision.no_delegation",
        gettext_noop(
            "Du har ingen delegering som omfattar det här beslutet på beslutsdagen. Beslutet "
            "fattas av rektorn eller av den som rektorn har delegerat det till."
        ),
        SL_2_10,
    ),
    SupportAct.SERVE_DECISION: wf.Refused(
        "act.school_serves_decision",
        gettext_noop(
            "Hur beslutet har delgetts eleven och vårdnadshavarna registreras av rektorn, "
            "elevens mentor eller specialpedagog eller speciallärare vid enheten."
        ),
        "33 § förvaltningslagen (29 kap. 10 § skollagen)",
    ),
    SupportAct.RECORD_FOLLOW_UP: wf.Refused(
        "act.follow_up_by_responsible",
        gettext_noop(
            "Uppföljning och utvärdering registreras av den som åtgärdsprogrammet anger som "
            "ansvarig, av elevens mentor, specialpedagog eller speciallärare eller av rektorn."
        ),
        SL_3_9,
    ),
    SupportAct.HANDLE_APPEAL: wf.Refused(
        "act.decision_maker_handles_appeal",
        gettext_noop(
            "Ett överklagande ges in till den som fattade beslutet och hanteras av rektorn, "
            "som prövar om det har kommit in i rätt tid och om beslutet ska ändras."
        ),
        "43–46 §§ förvaltningslagen (29 kap. 10 § skollagen)",
    ),
    SupportAct.ADD_OWN_VIEW: wf.Refused(
        "act.family_adds_own_view",
        gettext_noop(
            "Här lämnar eleven och vårdnadshavarna sina egna synpunkter. Personal dokumenterar "
            "i ärendet."
        ),
        SL_3_9,
    ),
    SupportAct.CONFIRM_RECEIPT: wf.Refused(
        "act.recipient_confirms_receipt",
        gettext_noop(
            "Bara mottagaren själv kan bekräfta att hen har fått beslutet, eftersom "
            "överklagandetiden räknas från den dagen."
        ),
        wf.FL_APPEAL_TIME,
    ),
}


class ActRefused(Http404):
    """The user may see the record (or the pupil) but not do this act with it: a 404 to pages,
    a 403 to the API with `refusal`, the rule that refused it (`ACT_RULES`)."""

    def __init__(self, act: SupportAct) -> None:
        super().__init__(act.value)
        self.act = act
        self.refusal = ACT_RULES[act]


# ----------------------------------------------------------------------------- who is named


def _named_in_programme(user_id: uuid.UUID, via: str = "") -> Q:
    """Responsible for the programme's follow-up, its evaluation or one of its measures."""
    programmes = ActionProgramme.objects
    named = union_of_ids(
        [
            programmes.filter(follow_up_responsible_id=user_id).values("pk"),
            programmes.filter(evaluation_responsible_id=user_id).values("pk"),
            ProgrammeMeasure.objects.filter(responsible_id=user_id).values("programme_id"),
        ]
    )
    return Q(**{f"{via}pk__in": named})


def _recorded_by(user_id: uuid.UUID) -> Q:
    return Q(created_by_id=user_id)


def _responsible_or_recorder(user_id: uuid.UUID) -> Q:
    return Q(responsible_id=user_id) | Q(created_by_id=user_id)


def _reporter_or_investigator(user_id: uuid.UUID) -> Q:
    named = union_of_ids(
        [
            Referral.objects.filter(created_by_id=user_id).values("pk"),
            Investigation.objects.filter(investigators=user_id).values("referral_id"),
        ]
    )
    return Q(pk__in=named)


def _investigator(user_id: uuid.UUID) -> Q:
    return Q(investigators=user_id)


def _follow_up_staff(user_id: uuid.UUID) -> Q:
    return _named_in_programme(user_id, via="programme__")


# ----------------------------------------------------------------------------- page annotations


def _decision_of(kind: wf.DecisionKind, column: str) -> Subquery:
    decisions = Decision.objects.filter(programme=OuterRef("pk"), kind=kind).order_by(
        "-decided_on", "-created_at"
    )
    output: Field[Any, Any] = DateField() if column == "decided_on" else UUIDField()
    return Subquery(decisions.values(column)[:1], output_field=output)


def programme_decision_dates() -> dict[str, Combinable]:
    """The decisions that adopted and ended this version: every programme page shows them. At
    most one of each (decide_programme runs on a draft, decide_closure on the one in force)."""
    adopted, closed = wf.DecisionKind.ACTION_PROGRAMME, wf.DecisionKind.ACTION_PROGRAMME_CLOSURE
    return {
        "adoption_id": _decision_of(adopted, "pk"),
        "adopted_on": _decision_of(adopted, "decided_on"),
        "closure_id": _decision_of(closed, "pk"),
        "closed_on": _decision_of(closed, "decided_on"),
    }


def _ordered(lookup: str, model: type[Model], related: tuple[str, ...], *order: str) -> Prefetch:
    """A related list in the order the pages and the API show it, with what each row names."""
    rows = model._default_manager.select_related(*related).order_by(*order)
    return Prefetch(lookup, queryset=rows)


def _participant_views() -> Prefetch:
    """The pupil's and guardians' own views on the record (process.md rule 6)."""
    return _ordered("participant_views", ParticipantView, ("author",), "created_at")


def _measure_reviews() -> Prefetch:
    """A follow-up's review of each measure, with the measure, its need and its responsible, in
    the programme's order: need by need, measure by measure."""
    return _ordered(
        "reviews",
        MeasureReview,
        ("measure__need", "measure__responsible"),
        "measure__need__position",
        "measure__position",
        "measure__created_at",
    )


# ----------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class RecordKind(Generic[M]):
    """One kind of support record: its model, the shape its pages and the API read, the acts
    done on it, the states the family never sees, and who is named on it."""

    kind: SupportRecord
    model: type[M]
    related: tuple[str, ...]
    acts: frozenset[SupportAct]
    # A callable, so that every query gets Prefetch objects of its own.
    prefetch: Callable[[], tuple[str | Prefetch, ...]] = tuple
    named: Callable[[uuid.UUID], Q] | None = None
    hidden_from_family: frozenset[str] = frozenset()
    # A kind without states says by a rule which of its records the family reads: the loaded
    # twin and the list twin (investigations: once concluded, FL 10 §; decision 0014).
    family_reads: Callable[[Any], bool] | None = None
    family_reads_q: Callable[[], Q] | None = None
    annotations: Callable[[], dict[str, Combinable]] = field(default=dict)

    @property
    def viewers(self) -> frozenset[Relation]:
        return SUPPORT_VIEWERS[self.kind]

    def participant(self, user_id: uuid.UUID | None, **match: Any) -> Combinable:
        """The participant rule as one SQL expression for this user: on the outer query's row,
        or on the record of this kind that `match` names from it (the support page asks
        `INVESTIGATIONS.participant(user_id, referral=OuterRef("pk"))` on a referral)."""
        if self.named is None or user_id is None:
            return Value(False, output_field=BooleanField())
        where = match or {"pk": OuterRef("pk")}
        # Exists rather than a join, so that a record is never read or listed twice.
        return Exists(self.model._default_manager.filter(self.named(user_id), **where))

    def annotated(self, user_id: uuid.UUID | None) -> QuerySet[M]:
        return self.model._default_manager.annotate(**{PARTICIPANT: self.participant(user_id)})

    def records(self, user_id: uuid.UUID | None, *, lists: bool = True) -> QuerySet[M]:
        """Every record of the kind in its detail shape, with no access check: for the door,
        and for reading a record again after a service changed it in the same request.
        `lists=False` leaves out the related lists (`prefetch`), which the door loads only once
        the record is allowed."""
        rows = (
            self.annotated(user_id)
            .select_related("pupil", *self.related)
            .annotate(**self.annotations())
        )
        return rows.prefetch_related(*self.prefetch()) if lists else rows

    def family_may_see(self, record: M) -> bool:
        """Drafts are work in progress: the family sees what has been decided (loaded twin)."""
        if self.family_reads is not None:
            return self.family_reads(record)
        if not self.hidden_from_family:
            return True
        return str(record.serializable_value("state")) not in self.hidden_from_family

    def family_may_see_q(self) -> Q:
        """The list twin of `family_may_see`."""
        if self.family_reads_q is not None:
            return self.family_reads_q()
        return ~Q(state__in=self.hidden_from_family) if self.hidden_from_family else Q()


Act = SupportAct

CONCERNS: RecordKind[Concern] = RecordKind(
    SupportRecord.CONCERN,
    Concern,
    related=("created_by", "school_unit"),
    acts=frozenset({Act.MANAGE_ADAPTATIONS, Act.REFER}),
    named=_recorded_by,
)

ADAPTATIONS: RecordKind[Adaptation] = RecordKind(
    SupportRecord.ADAPTATION,
    Adaptation,
    related=("responsible", "group", "concern", "created_by"),
    prefetch=lambda: (
        _ordered(
            "evaluations", AdaptationEvaluation, ("evaluated_by",), "-evaluated_on", "-created_at"
        ),
    ),
    acts=frozenset({Act.MANAGE_ADAPTATIONS, Act.REFER}),
    named=_responsible_or_recorder,
)

REFERRALS: RecordKind[Referral] = RecordKind(
    SupportRecord.REFERRAL,
    Referral,
    related=(
        "created_by",
        "received_by",
        "investigation",
        "concern",
        "school_unit",
    ),
    prefetch=lambda: (Prefetch("adaptations", queryset=Adaptation.objects.only("pk")),),
    acts=frozenset({Act.RECEIVE_REFERRAL, Act.OPEN_INVESTIGATION}),
    named=_reporter_or_investigator,
)

INVESTIGATIONS: RecordKind[Investigation] = RecordKind(
    SupportRecord.INVESTIGATION,
    Investigation,
    related=("referral", "updated_by", "created_by", "school_unit"),
    prefetch=lambda: ("investigators", "needs"),
    acts=frozenset({Act.WRITE_INVESTIGATION, Act.DECIDE}),
    named=_investigator,
    # The family reads a concluded investigation, never one being written (FL 10 §).
    family_reads=lambda record: family_may_read_investigation(record.assessed_on, record.closed_on),
    family_reads_q=lambda: Q(assessed_on__isnull=False) | Q(closed_on__isnull=False),
)

DECISIONS: RecordKind[Decision] = RecordKind(
    SupportRecord.DECISION,
    Decision,
    related=("programme", "investigation", "delegation", "delegation__delegated_by"),
    prefetch=lambda: (
        _ordered(
            "services", DecisionService, ("guardian",), "recipient_kind", "recipient_name", "pk"
        ),
        _participant_views(),
    ),
    acts=frozenset({Act.SERVE_DECISION, Act.CONFIRM_RECEIPT, Act.HANDLE_APPEAL, Act.ADD_OWN_VIEW}),
)

PROGRAMMES: RecordKind[ActionProgramme] = RecordKind(
    SupportRecord.PROGRAMME,
    ActionProgramme,
    related=(
        "school_unit__provider__deadlines",
        "previous",
        "next_version",
        "investigation",
        "follow_up_responsible",
        "evaluation_responsible",
    ),
    prefetch=lambda: (
        "needs",
        _ordered("measures", ProgrammeMeasure, ("responsible",), "position", "created_at"),
        _participant_views(),
    ),
    acts=frozenset({Act.DRAFT_PROGRAMME, Act.DECIDE, Act.RECORD_FOLLOW_UP, Act.ADD_OWN_VIEW}),
    named=_named_in_programme,
    hidden_from_family=frozenset(wf.UNDECIDED_PROGRAMME_STATES),
    annotations=programme_decision_dates,
)

FOLLOW_UPS: RecordKind[FollowUp] = RecordKind(
    SupportRecord.FOLLOW_UP,
    FollowUp,
    related=("programme", "created_by"),
    prefetch=lambda: (
        _measure_reviews(),
        _participant_views(),
    ),
    acts=frozenset({Act.ADD_OWN_VIEW}),
    named=_follow_up_staff,
)

APPEALS: RecordKind[Appeal] = RecordKind(
    SupportRecord.APPEAL,
    Appeal,
    related=("decision", "service"),
    acts=frozenset({Act.HANDLE_APPEAL}),
)

RECORDS: dict[SupportRecord, RecordKind[Any]] = {
    entry.kind: entry
    for entry in (
        CONCERNS,
        ADAPTATIONS,
        REFERRALS,
        INVESTIGATIONS,
        DECISIONS,
        PROGRAMMES,
        FOLLOW_UPS,
        APPEALS,
    )
}


def is_participant(record: PupilRecord) -> bool:
    """Whether the user the record was loaded for is named on it (the door's annotation)."""
    return bool(vars(record)[PARTICIPANT])


def may_act_on(access: PupilAccess, record: PupilRecord, act: SupportAct) -> bool:
    """`policy.can_act` for a record the door loaded: what a page may offer."""
    return can_act(access.relations, act, participant=is_participant(record))


# ----------------------------------------------------------------------------- the door


class LogOptions(TypedDict, total=False):
    """What the access-log row says beside the record: why, and through which channel."""

    purpose: str
    channel: str


class LookupOptions(LogOptions, total=False):
    act: SupportAct | None
    action: AccessAction
    whole_record: bool


@overload
def get_support_record_for(
    ctx: UserContext, kind: RecordKind[M], record_id: RecordId, **options: Unpack[LookupOptions]
) -> tuple[M, PupilAccess]: ...


@overload
def get_support_record_for(
    ctx: UserContext, kind: SupportRecord, record_id: RecordId, **options: Unpack[LookupOptions]
) -> tuple[PupilRecord, PupilAccess]: ...


def get_support_record_for(
    ctx: UserContext,
    kind: RecordKind[M] | SupportRecord,
    record_id: RecordId,
    *,
    act: SupportAct | None = None,
    action: AccessAction = AccessAction.VIEW,
    purpose: str = "",
    channel: str = "web",
    whole_record: bool = False,
) -> tuple[PupilRecord, PupilAccess]:
    """The record and its pupil, checked by the policy and logged once, or 404.

    `act`: the page or endpoint does this with the record (`policy.can_act`, a participant
    doing the record's own work included); refused on a visible record, `ActRefused`.
    `whole_record`: the page shows the record whole (a PDF, the version diff), which a teacher
    who sees only the teaching part may not have (`policy.sees_teaching_part_only`).
    Pass a typed entry (`records.PROGRAMMES`) to get the model's own type back.
    """
    entry: RecordKind[Any] = kind if isinstance(kind, RecordKind) else RECORDS[kind]
    if act is not None and act not in entry.acts:
        raise ValueError(f"{act} is not done on a {entry.kind}")
    attempt = AccessAttempt(ctx, entry.kind.value, action, purpose, channel)
    record_uuid = parsed_id(record_id)
    if record_uuid is None:
        attempt.denied(record_id)
        raise Http404
    # The record alone first: its lists are loaded only for someone who may see it, and a
    # missing record costs what a forbidden one does (the pupil's facts are asked for a pupil
    # who does not exist), so the answer's time does not tell them apart (security.md P5).
    record = entry.records(ctx.user_id, lists=False).filter(pk=record_uuid).first()
    pupil = record.pupil if record is not None else Pupil(pk=record_uuid)
    prefetch_related_objects([pupil], *fact_prefetches(ctx))
    facts = facts_of(pupil)
    relations = relations_to_pupil(ctx, facts)
    if record is None or not _may_view(entry, record, relations, whole_record=whole_record):
        attempt.denied(record_uuid, facts=facts if record is not None else None)
        raise Http404
    access = PupilAccess(pupil=pupil, facts=facts, relations=relations)
    if act is not None and not can_act(relations, act, participant=is_participant(record)):
        attempt.denied(record.pk, facts=facts, acting_role=access.acting_role)
        raise ActRefused(act)
    prefetch_related_objects([record], *entry.prefetch())
    attempt.allowed(access, record.pk)
    return record, access


def _may_view(
    entry: RecordKind[M], record: M, relations: frozenset[Relation], *, whole_record: bool
) -> bool:
    """`policy.can_view_support_record` for one loaded record; its list twin is `_visible_q`."""
    if whole_record and sees_teaching_part_only(relations):
        return False
    return can_view_support_record(
        relations,
        entry.kind,
        participant=is_participant(record),
        family_may_see=entry.family_may_see(record),
    )


def require_act(
    ctx: UserContext,
    access: PupilAccess,
    act: SupportAct,
    record_type: str,
    **log: Unpack[LogOptions],
) -> None:
    """`policy.can_act` for an act on the pupil rather than on a record (recording a concern,
    an adaptation, a report), or `ActRefused`: a DENIED row (security.md P1) on the pupil, of
    the `record_type` to be written, with the `purpose` and `channel` in `log`."""
    if can_act(access.relations, act):
        return
    purpose, channel = log.get("purpose", ""), log.get("channel", "web")
    AccessAttempt(ctx, record_type, AccessAction.UPDATE, purpose, channel).denied(
        access.pupil.pk, facts=access.facts, acting_role=access.acting_role
    )
    raise ActRefused(act)


# ----------------------------------------------------------------------------- the list twin


def _visible_q(ctx: UserContext, entry: RecordKind[M]) -> Q:
    """The records of the kind the user may see: the twin of `_may_view` (no whole-record
    pages among lists). Needs the participant annotation (`RecordKind.annotated`)."""
    parts: list[Q] = []
    staff = pupils_related_q(ctx, entry.viewers - FAMILY)
    if staff is not None:
        parts.append(staff)
    family = pupils_related_q(ctx, entry.viewers & FAMILY)
    if family is not None:
        parts.append(family & entry.family_may_see_q())
    related_staff = pupils_related_q(ctx, STAFF_RELATIONS) if entry.named else None
    if related_staff is not None:
        parts.append(Q(**{PARTICIPANT: True}) & related_staff)
    return reduce(or_, parts) if parts else Q(pk__in=[])


@overload
def support_records_visible_to(ctx: UserContext, kind: RecordKind[M]) -> QuerySet[M]: ...


@overload
def support_records_visible_to(ctx: UserContext, kind: SupportRecord) -> QuerySet[Any]: ...


def support_records_visible_to(
    ctx: UserContext, kind: RecordKind[M] | SupportRecord
) -> QuerySet[Any]:
    """Every record of the kind the user may open through `get_support_record_for`, unshaped:
    lists add their own select_related, filters and order."""
    entry: RecordKind[Any] = kind if isinstance(kind, RecordKind) else RECORDS[kind]
    return entry.annotated(ctx.user_id).filter(_visible_q(ctx, entry))
