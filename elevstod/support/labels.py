"""Swedish labels for the workflow's vocabulary (the workflow itself stays free of Django)."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.support import workflow as wf


def choices(labels: dict) -> list[tuple[str, StrOrPromise]]:
    return [(key.value, label) for key, label in labels.items()]


def label(labels: dict, value: str | StrEnum | None) -> StrOrPromise:
    for key, text in labels.items():
        if key == value:
            return text
    return value or ""


SUPPORT_LEVEL_LABELS = {
    wf.SupportLevel.GUIDANCE_AND_STIMULATION: _("Ledning och stimulans"),
    wf.SupportLevel.EXTRA_ADAPTATIONS: _("Extra anpassningar"),
    wf.SupportLevel.SPECIAL_SUPPORT: _("Särskilt stöd"),
}

CONCERN_SOURCE_LABELS = {
    wf.ConcernSource.TEACHING: _("Undervisningen"),
    wf.ConcernSource.NATIONAL_ASSESSMENT: _("Nationellt bedömningsstöd, kartläggning eller prov"),
    wf.ConcernSource.HANDOVER: _("Överlämning"),
    wf.ConcernSource.ABSENCE: _("Frånvaro"),
    wf.ConcernSource.PUPIL_OR_GUARDIAN: _("Eleven eller vårdnadshavare"),
    wf.ConcernSource.OTHER: _("Annat"),
}

CONCERN_STATE_LABELS = {
    wf.ConcernState.OPEN: _("Öppen"),
    wf.ConcernState.ADAPTATIONS: _("Extra anpassningar sätts in"),
    wf.ConcernState.REFERRED: _("Anmäld till rektor"),
    wf.ConcernState.CLOSED: _("Avslutad"),
}

NEED_CATEGORY_LABELS = {
    wf.NeedCategory.READING_WRITING: _("Läsa och skriva"),
    wf.NeedCategory.MATHEMATICS: _("Matematik"),
    wf.NeedCategory.LANGUAGE: _("Språk och kommunikation"),
    wf.NeedCategory.CONCENTRATION: _("Koncentration och uthållighet"),
    wf.NeedCategory.STRUCTURE_AND_PLANNING: _("Struktur och planering"),
    wf.NeedCategory.SOCIAL_INTERACTION: _("Socialt samspel"),
    wf.NeedCategory.WELLBEING: _("Trygghet och välmående"),
    wf.NeedCategory.ATTENDANCE: _("Närvaro"),
    wf.NeedCategory.SENSORY_ENVIRONMENT: _("Lärmiljö och sinnesintryck"),
    wf.NeedCategory.MOTOR_SKILLS: _("Motorik"),
    wf.NeedCategory.STIMULATION: _("Stimulans och utmaning"),
    wf.NeedCategory.OTHER: _("Annat"),
}

ADAPTATION_STATE_LABELS = {
    wf.AdaptationState.ACTIVE: _("Pågår"),
    wf.AdaptationState.ENDED: _("Avslutad"),
}

ADAPTATION_EFFECT_LABELS = {
    wf.AdaptationEffect.SUFFICIENT: _("Tillräcklig"),
    wf.AdaptationEffect.PARTLY: _("Delvis tillräcklig"),
    wf.AdaptationEffect.NOT_SUFFICIENT: _("Inte tillräcklig"),
}

ADAPTATION_NEXT_STEP_LABELS = {
    wf.AdaptationNextStep.CONTINUE: _("Fortsätt"),
    wf.AdaptationNextStep.CHANGE: _("Ändra"),
    wf.AdaptationNextStep.END: _("Avsluta"),
    wf.AdaptationNextStep.REFER: _("Anmäl till rektor"),
}

REFERRAL_GROUND_LABELS = {
    wf.ReferralGround.DESPITE_ADAPTATIONS: _("Risk trots extra anpassningar"),
    wf.ReferralGround.SPECIAL_REASONS: _("Särskilda skäl: extra anpassningar räcker inte"),
    wf.ReferralGround.OTHER_DIFFICULTIES: _("Andra svårigheter i skolsituationen"),
    wf.ReferralGround.ABSENCE_INVESTIGATION: _("Frånvaroutredning"),
}

CASE_STATE_LABELS = {
    wf.CaseState.REPORTED: _("Anmäld, väntar på rektors kvittens"),
    wf.CaseState.RECEIVED: _("Mottagen, utredning ska inledas"),
    wf.CaseState.INVESTIGATING: _("Utreds"),
    wf.CaseState.NO_PROGRAMME: _("Beslut att inte utarbeta åtgärdsprogram"),
    wf.CaseState.PROGRAMME_ACTIVE: _("Åtgärdsprogram gäller"),
    wf.CaseState.CLOSED: _("Åtgärdsprogram avslutat"),
}

DECISION_KIND_LABELS = {
    wf.DecisionKind.ACTION_PROGRAMME: _("Beslut om åtgärdsprogram"),
    wf.DecisionKind.NO_ACTION_PROGRAMME: _("Beslut att inte utarbeta åtgärdsprogram"),
    wf.DecisionKind.ACTION_PROGRAMME_CLOSURE: _("Beslut att avsluta åtgärdsprogram"),
}

MEASURE_SETTING_LABELS = {
    wf.MeasureSetting.OWN_GROUP: _("I den egna elevgruppen"),
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP: _("Särskild undervisningsgrupp (3 kap. 11 §)"),
    wf.MeasureSetting.INDIVIDUAL_TEACHING: _("Enskild undervisning (3 kap. 11 §)"),
    wf.MeasureSetting.DISTANCE_TEACHING: _("Distansundervisning (3 kap. 11 a §)"),
    wf.MeasureSetting.ADAPTED_STUDY_PATH: _("Anpassad studiegång (3 kap. 12 §)"),
}

PROGRAMME_STATE_LABELS = {
    wf.ProgrammeState.DRAFT: _("Utkast"),
    wf.ProgrammeState.IN_FORCE: _("Gäller"),
    wf.ProgrammeState.SUPERSEDED: _("Ersatt av ny version"),
    wf.ProgrammeState.CLOSED: _("Avslutat"),
    wf.ProgrammeState.LAPSED: _("Förfallet utkast (beslutades aldrig)"),
}

FOLLOW_UP_KIND_LABELS = {
    wf.FollowUpKind.FOLLOW_UP: _("Uppföljning"),
    wf.FollowUpKind.EVALUATION: _("Utvärdering"),
}

CARRIED_OUT_LABELS = {
    wf.CarriedOut.YES: _("Ja"),
    wf.CarriedOut.PARTLY: _("Delvis"),
    wf.CarriedOut.NO: _("Nej"),
}

MEASURE_EFFECT_LABELS = {
    wf.MeasureEffect.NEED_MET: _("Behovet är tillgodosett"),
    wf.MeasureEffect.CLEAR_PROGRESS: _("Tydlig utveckling"),
    wf.MeasureEffect.SOME_PROGRESS: _("Viss utveckling"),
    wf.MeasureEffect.NO_PROGRESS: _("Ingen utveckling"),
}

FOLLOW_UP_OUTCOME_LABELS = {
    wf.FollowUpOutcome.CONTINUE: _("Fortsätt enligt programmet"),
    wf.FollowUpOutcome.REVISE: _("Revidera programmet (nytt beslut)"),
    wf.FollowUpOutcome.CLOSE: _("Avsluta programmet (beslut)"),
}

APPEAL_STATE_LABELS = {
    wf.AppealState.REGISTERED: _("Registrerat, ska omprövas"),
    wf.AppealState.CHANGED_ON_RECONSIDERATION: _("Ändrat vid omprövning"),
    wf.AppealState.DISMISSED_LATE: _("Avvisat, kom in för sent"),
    wf.AppealState.FORWARDED: _("Överlämnat till Skolväsendets överklagandenämnd"),
    wf.AppealState.BOARD_UPHELD: _("Nämnden avslog överklagandet"),
    wf.AppealState.BOARD_SET_ASIDE: _("Nämnden upphävde beslutet"),
    wf.AppealState.BOARD_RETURNED: _("Nämnden visade ärendet åter till rektorn"),
}

TASK_KIND_LABELS = {
    wf.TaskKind.EVALUATE_ADAPTATION: _("Utvärdera extra anpassning"),
    wf.TaskKind.RECEIVE_REFERRAL: _("Kvittera anmälan"),
    wf.TaskKind.OPEN_INVESTIGATION: _("Inled utredning"),
    wf.TaskKind.COMPLETE_INVESTIGATION: _("Slutför utredning"),
    wf.TaskKind.DECIDE: _("Fatta beslut"),
    wf.TaskKind.SERVE_DECISION: _("Delge beslut"),
    wf.TaskKind.FOLLOW_UP: _("Följ upp åtgärdsprogram"),
    wf.TaskKind.EVALUATE_PROGRAMME: _("Utvärdera åtgärdsprogram"),
    wf.TaskKind.HANDLE_APPEAL: _("Handlägg överklagande"),
}

DEADLINE_BASIS_LABELS = {
    wf.DeadlineBasis.LAW: _("Lagkrav"),
    wf.DeadlineBasis.MUNICIPAL: _("Huvudmannens rutin"),
}

APPEAL_INSTRUCTIONS = _(
    "Hur man överklagar: Beslutet kan överklagas hos Skolväsendets överklagandenämnd "
    "(28 kap. 16 § skollagen). Överklagandet ska vara skriftligt och skickas eller lämnas till "
    "skolan, inte till nämnden (43 § förvaltningslagen). Det ska ha kommit in inom tre veckor "
    "från den dag då du fick del av beslutet (44 § förvaltningslagen). Förvaltningslagens regler "
    "om överklagande gäller för både kommunala och fristående skolor (29 kap. 11 § skollagen). "
    "Skriv vilket beslut du överklagar, vilken ändring du vill ha och varför, och ange ditt och "
    "elevens namn och kontaktuppgifter. Skolan prövar om överklagandet har kommit in i rätt tid "
    "(45 § förvaltningslagen) och lämnar det sedan vidare till nämnden (46 § "
    "förvaltningslagen); en kommunal skola kan också själv ändra beslutet (37–39 §§ "
    "förvaltningslagen). En elev som har fyllt 16 år får själv överklaga (29 kap. 12 § "
    "skollagen); annars överklagar vårdnadshavarna."
)
