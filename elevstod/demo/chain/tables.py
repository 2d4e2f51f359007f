"""The support chain's tables: how often each case occurs (scale.md), weights, and the Swedish text.

Everything here is data. The texts describe needs in terms of the school situation, never a
diagnosis (SL 26 a kap. 4 §), and are written as staff would write them.
"""

from elevstod.demo.plan import SUBJECTS
from elevstod.support import workflow as wf

# --------------------------------------------------------------------------- proportions

ACTIVE_PROGRAMME_SHARE = 0.065  # scale.md: active action programmes ≈ 6.5 % of pupils
ACTIVE_ADAPTATION_SHARE = 0.20  # scale.md: active extra adaptations ≈ 20 % of pupils (rows)
CLOSED_PROGRAMME_SHARE = 0.02
NO_PROGRAMME_SHARE = 0.012
INVESTIGATING_SHARE = 0.010
RECEIVED_SHARE = 0.004
REPORTED_SHARE = 0.004
REVISED_SHARE = 0.15  # of the active programmes: a second version in force
REVISION_DRAFT_SHARE = 0.03  # of the active programmes: a revision drafted, not yet decided
ENDED_ONLY_SHARE = 0.04  # pupils whose adaptations ended with the need met
OPEN_CONCERN_SHARE = 0.015
CLOSED_CONCERN_SHARE = 0.015
LAPSED_SHARE = 0.15  # closed cases whose started revision lapsed at the closure
OVERDUE_SHARE = 0.18  # adaptations and programmes whose next evaluation or follow-up has passed
PUPILS_PER_APPEAL = 6000  # appeals in each state: one per this many pupils, at least one

SEED_SALT = "elevstod-support-chain"

NEED_WEIGHTS: dict[wf.NeedCategory, int] = {
    wf.NeedCategory.READING_WRITING: 22,
    wf.NeedCategory.MATHEMATICS: 20,
    wf.NeedCategory.CONCENTRATION: 12,
    wf.NeedCategory.STRUCTURE_AND_PLANNING: 12,
    wf.NeedCategory.LANGUAGE: 8,
    wf.NeedCategory.SOCIAL_INTERACTION: 7,
    wf.NeedCategory.WELLBEING: 7,
    wf.NeedCategory.ATTENDANCE: 5,
    wf.NeedCategory.SENSORY_ENVIRONMENT: 3,
    wf.NeedCategory.MOTOR_SKILLS: 2,
    wf.NeedCategory.OTHER: 2,
}
# Extra adaptations also stimulate pupils who easily reach the criteria (SL 3 kap. 2 §).
ADAPTATION_NEED_WEIGHTS = {**NEED_WEIGHTS, wf.NeedCategory.STIMULATION: 3}
NEED_SUBJECT: dict[wf.NeedCategory, tuple[str, ...]] = {
    wf.NeedCategory.READING_WRITING: ("Sv",),
    wf.NeedCategory.MATHEMATICS: ("Ma",),
    wf.NeedCategory.LANGUAGE: ("Sv", "En"),
    wf.NeedCategory.MOTOR_SKILLS: ("Idh",),
    wf.NeedCategory.STIMULATION: ("Ma", "En", "Sv"),
}
SUBJECT_NAMES = {abbr: name for subjects in SUBJECTS.values() for abbr, name in subjects}

# Needs in terms of the school situation, never a diagnosis (SL 26 a kap. 4 §).
NEED_TEXT: dict[wf.NeedCategory, tuple[str, ...]] = {
    wf.NeedCategory.READING_WRITING: (
        "Behöver stöd för att förstå längre texter och för att komma igång med eget skrivande.",
        "Läser långsamt och tappar innehållet i längre texter; skriver korta texter med hjälp.",
    ),
    wf.NeedCategory.MATHEMATICS: (
        "Behöver stöd i taluppfattning och i att välja strategi vid problemlösning.",
        "Har svårt att följa genomgångar i matematik och att komma vidare på egen hand.",
    ),
    wf.NeedCategory.LANGUAGE: (
        "Behöver stöd med ämnesspråket och med att uttrycka sig muntligt i grupp.",
        "Förstår instruktioner bäst när de ges kort och med stöd av bilder.",
    ),
    wf.NeedCategory.CONCENTRATION: (
        "Behöver korta arbetspass med tydlig start och tydligt slut för att orka hela lektionen.",
        "Tappar fokus i längre genomgångar och behöver pauser inlagda i arbetet.",
    ),
    wf.NeedCategory.STRUCTURE_AND_PLANNING: (
        "Behöver hjälp att planera skolarbetet över veckan och att komma igång med uppgifter.",
        "Har svårt att hålla ordning på inlämningar och material.",
    ),
    wf.NeedCategory.SOCIAL_INTERACTION: (
        "Behöver stöd i grupparbeten och vid övergångar mellan aktiviteter.",
        "Hamnar ofta i konflikter på raster och behöver en vuxen i närheten.",
    ),
    wf.NeedCategory.WELLBEING: (
        "Behöver en trygg vuxen att vända sig till och förutsägbarhet under skoldagen.",
        "Känner oro inför prov och redovisningar.",
    ),
    wf.NeedCategory.ATTENDANCE: (
        "Behöver stöd för att komma till skolan och stanna hela dagen.",
        "Har ökande frånvaro, särskilt på måndagar och vid idrott.",
    ),
    wf.NeedCategory.SENSORY_ENVIRONMENT: (
        "Behöver en lugn arbetsplats med färre intryck.",
        "Blir trött av ljud och rörelse i klassrummet och behöver möjlighet till avskildhet.",
    ),
    wf.NeedCategory.MOTOR_SKILLS: (
        "Behöver stöd med finmotorik vid skrivande och i praktiska moment.",
        "Tröttnar snabbt vid handskrift och behöver alternativ till att skriva för hand.",
    ),
    wf.NeedCategory.STIMULATION: (
        "Når lätt kriterierna och behöver fördjupning och större utmaningar.",
        "Blir klar långt före klassen och tappar motivationen utan nya utmaningar.",
    ),
    wf.NeedCategory.OTHER: (
        "Behöver stöd i övergången mellan skolans olika miljöer.",
        "Behöver stöd för att använda skolans digitala verktyg.",
    ),
}
ADAPTATION_TEXT: dict[wf.NeedCategory, tuple[str, ...]] = {
    wf.NeedCategory.READING_WRITING: (
        "Ljudböcker och talsyntes för längre texter; stödmallar vid skrivande.",
        "Förförståelse: läser texten i förväg med speciallärare en gång i veckan.",
        "Anpassat textmaterial och muntlig redovisning som alternativ.",
    ),
    wf.NeedCategory.MATHEMATICS: (
        "Konkret material och en extra genomgång i liten grupp efter introduktionen.",
        "Färre uppgifter per pass och en tydlig lösningsmall.",
        "Digitalt färdighetsträningsprogram tio minuter om dagen.",
    ),
    wf.NeedCategory.LANGUAGE: (
        "Ordlista med bilder för varje arbetsområde och studiehandledning vid behov.",
        "Instruktioner både muntligt och skriftligt, kontroll av att de uppfattats.",
    ),
    wf.NeedCategory.CONCENTRATION: (
        "Lektionen delas i kortare pass med planerade pauser.",
        "Fast plats nära läraren och en timer som visar arbetspassets längd.",
    ),
    wf.NeedCategory.STRUCTURE_AND_PLANNING: (
        "Visuellt veckoschema och checklista för varje uppgift.",
        "Uppgifter delas i mindre delar med delmål; mentorn går igenom veckan på måndagar.",
    ),
    wf.NeedCategory.SOCIAL_INTERACTION: (
        "Läraren sätter ihop grupperna och ger varje elev en tydlig roll.",
        "Rastaktivitet med vuxen två dagar i veckan.",
    ),
    wf.NeedCategory.WELLBEING: (
        "Avstämning med mentorn varje morgon och en trygg plats att gå till vid behov.",
        "Prov kan göras enskilt eller i mindre rum.",
    ),
    wf.NeedCategory.ATTENDANCE: (
        "Mjuk start: eleven möts av en vuxen vid entrén och börjar i ett mindre rum.",
        "Daglig kontakt med hemmet om närvaron och ett schema som bygger upp hela dagar.",
    ),
    wf.NeedCategory.SENSORY_ENVIRONMENT: (
        "Hörselkåpor och en avskild arbetsplats i klassrummet.",
        "Möjlighet att arbeta i grupprum under enskilt arbete.",
    ),
    wf.NeedCategory.MOTOR_SKILLS: (
        "Dator i stället för handskrift och förstorade arbetsblad.",
        "Anpassade moment i idrott och hälsa.",
    ),
    wf.NeedCategory.STIMULATION: (
        "Fördjupningsuppgifter och möjlighet att arbeta i snabbare takt.",
        "Utmaningsuppgifter och deltagande i matematiktävling.",
    ),
    wf.NeedCategory.OTHER: (
        "Förberedelse inför förändringar i schemat.",
        "Genomgång av lärplattformen med mentorn.",
    ),
}
PROGRAMME_MEASURES: dict[wf.NeedCategory, tuple[tuple[str, str], ...]] = {
    wf.NeedCategory.READING_WRITING: (
        ("Intensivläsning med speciallärare.", "3 × 20 minuter i veckan"),
        ("Strukturerat skrivstöd med mallar och respons i varje skrivuppgift.", "Varje lektion"),
    ),
    wf.NeedCategory.MATHEMATICS: (
        ("Undervisning i liten grupp med fokus på taluppfattning.", "2 lektioner i veckan"),
        ("Förberedande genomgång av varje nytt arbetsområde.", "1 × 30 minuter i veckan"),
    ),
    wf.NeedCategory.LANGUAGE: (
        ("Studiehandledning på modersmålet i teoretiska ämnen.", "2 × 40 minuter i veckan"),
        ("Ordförrådsträning kopplad till ämnesundervisningen.", "3 × 15 minuter i veckan"),
    ),
    wf.NeedCategory.CONCENTRATION: (
        ("Elevassistent stöttar start och avslut av arbetspass.", "Förmiddagar"),
        ("Individuellt planerade arbetspass med pauser.", "Varje lektion"),
    ),
    wf.NeedCategory.STRUCTURE_AND_PLANNING: (
        ("Veckoplanering med mentor och uppföljning av inlämningar.", "1 × 20 minuter i veckan"),
        ("Digital planering som delas med hemmet.", "Löpande"),
    ),
    wf.NeedCategory.SOCIAL_INTERACTION: (
        ("Samtal med kurator om samspel och konflikthantering.", "Varannan vecka"),
        ("Vuxenstöd under raster och i grupparbeten.", "Dagligen"),
    ),
    wf.NeedCategory.WELLBEING: (
        ("Regelbundna samtal med kurator.", "1 gång i veckan"),
        ("Anpassad skoldag med trygg startpunkt.", "Dagligen"),
    ),
    wf.NeedCategory.ATTENDANCE: (
        ("Stegvis återgång till hela skoldagar enligt plan med hemmet.", "Veckovis avstämning"),
        ("Samverkan med elevhälsan och hemmet kring närvaron.", "Varannan vecka"),
    ),
    wf.NeedCategory.SENSORY_ENVIRONMENT: (
        ("Egen arbetsplats i lugn miljö under teoretiska lektioner.", "Vid enskilt arbete"),
    ),
    wf.NeedCategory.MOTOR_SKILLS: (
        ("Träning i tangentbordsskrivning och anpassade verktyg.", "2 × 20 minuter i veckan"),
    ),
    wf.NeedCategory.OTHER: (
        ("Individuell introduktion till nya moment.", "Vid varje nytt arbetsområde"),
    ),
}
RESERVED_MEASURES: dict[wf.MeasureSetting, tuple[str, str, str, str]] = {
    # description, extent, location, special reasons
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP: (
        "Undervisning i särskild undervisningsgrupp i svenska och matematik.",
        "8 lektioner i veckan",
        "Studion, särskild undervisningsgrupp",
        "Stödet i den egna gruppen har inte räckt trots omfattande anpassningar; eleven behöver "
        "en mindre grupp för att kunna tillgodogöra sig undervisningen.",
    ),
    wf.MeasureSetting.INDIVIDUAL_TEACHING: (
        "Enskild undervisning med speciallärare.",
        "3 × 40 minuter i veckan",
        "Grupprum hos speciallärarna",
        "Eleven kan under en period inte delta i gruppundervisningen i de här ämnena; enskild "
        "undervisning bedöms nödvändig för att eleven ska nå kriterierna.",
    ),
    wf.MeasureSetting.DISTANCE_TEACHING: (
        "Distansundervisning i teoretiska ämnen under återgången till skolan.",
        "Förmiddagar, högst en termin",
        "Digitalt från hemmet med lärare på skolan",
        "Eleven kan under en period inte vistas i skolan hela dagar; distansundervisning ger "
        "kontinuitet medan närvaron byggs upp.",
    ),
    wf.MeasureSetting.ADAPTED_STUDY_PATH: (
        "Anpassad studiegång med fokus på kärnämnen.",
        "Hela läsåret",
        "Den egna klassen och studion",
        "Stödet kan inte i rimlig grad anpassas inom ordinarie timplan; eleven behöver tid för "
        "svenska och matematik för att kunna bli behörig till gymnasieskolan.",
    ),
}
RESERVED_WEIGHTS = {
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP: 35,
    wf.MeasureSetting.INDIVIDUAL_TEACHING: 35,
    wf.MeasureSetting.ADAPTED_STUDY_PATH: 20,
    wf.MeasureSetting.DISTANCE_TEACHING: 10,
}
RESERVED_PROGRAMME_SHARE = 0.12  # programmes with one measure outside the pupil's own group

CONCERN_TEXT: dict[wf.ConcernSource, tuple[str, ...]] = {
    wf.ConcernSource.TEACHING: (
        "Eleven kommer inte igång med uppgifterna och lämnar in ofullständigt arbete.",
        "Resultaten på de senaste diagnoserna är under förväntad nivå.",
        "Eleven har svårt att följa genomgångar och ber ofta om hjälp att komma igång.",
    ),
    wf.ConcernSource.NATIONAL_ASSESSMENT: (
        "Det nationella bedömningsstödet visar en risk att eleven inte når kriterierna.",
        "Kartläggningen i läsning visar att eleven ligger under kravnivån.",
    ),
    wf.ConcernSource.HANDOVER: (
        "Av överlämningen framgår att eleven hade extra anpassningar på tidigare skola.",
    ),
    wf.ConcernSource.ABSENCE: (
        "Eleven har upprepad frånvaro de senaste veckorna, både anmäld och oanmäld.",
        "Frånvaron har ökat och eleven missar genomgångar i flera ämnen.",
    ),
    wf.ConcernSource.PUPIL_OR_GUARDIAN: (
        "Vårdnadshavare hör av sig om att eleven tycker skolarbetet är för svårt.",
        "Eleven berättar för mentorn att hen inte hänger med på lektionerna.",
    ),
    wf.ConcernSource.OTHER: (
        "Elevhälsan har uppmärksammat att eleven verkar trött och oengagerad.",
        "Fritidspersonalen har sett att eleven har svårt i samspelet med andra.",
    ),
}
CONCERN_SOURCE_WEIGHTS = {
    wf.ConcernSource.TEACHING: 45,
    wf.ConcernSource.NATIONAL_ASSESSMENT: 12,
    wf.ConcernSource.HANDOVER: 8,
    wf.ConcernSource.ABSENCE: 10,
    wf.ConcernSource.PUPIL_OR_GUARDIAN: 15,
    wf.ConcernSource.OTHER: 10,
}
CLOSED_REASONS = (
    "Samtal med eleven och vårdnadshavare visar att det var tillfälligt; eleven når kriterierna.",
    "Ledning och stimulans i ordinarie undervisning räcker; följs upp vid utvecklingssamtalet.",
    "Situationen har löst sig efter samtal med eleven.",
)
REFERRAL_GROUND_WEIGHTS = {
    wf.ReferralGround.DESPITE_ADAPTATIONS: 60,
    wf.ReferralGround.SPECIAL_REASONS: 15,
    wf.ReferralGround.OTHER_DIFFICULTIES: 17,
    wf.ReferralGround.ABSENCE_INVESTIGATION: 8,
}
REFERRAL_TEXT: dict[wf.ReferralGround, str] = {
    wf.ReferralGround.DESPITE_ADAPTATIONS: (
        "Trots extra anpassningar under flera veckor finns en risk att eleven inte når "
        "kriterierna. Anpassningarna och deras effekt framgår nedan."
    ),
    wf.ReferralGround.SPECIAL_REASONS: (
        "Elevens svårigheter är så omfattande att extra anpassningar inte bedöms räcka."
    ),
    wf.ReferralGround.OTHER_DIFFICULTIES: (
        "Eleven visar svårigheter i sin skolsituation som påverkar skolarbetet i flera ämnen."
    ),
    wf.ReferralGround.ABSENCE_INVESTIGATION: (
        "Frånvaroutredningen visar att eleven kan vara i behov av särskilt stöd."
    ),
}
APPELLANT_TEXT = (
    "Vi överklagar beslutet. Vi anser att {name} behöver mer stöd än skolan har beslutat och "
    "vill att skolan gör om bedömningen."
)
FOLLOW_UP_PARTICIPANTS = (
    "Mentor, specialpedagog, eleven och vårdnadshavare",
    "Mentor, ämneslärare och vårdnadshavare",
    "Specialpedagog, mentor och eleven",
)
EVALUATION_COMMENT = {
    wf.AdaptationEffect.SUFFICIENT: "Anpassningen fungerar och eleven arbetar mer självständigt.",
    wf.AdaptationEffect.PARTLY: "Viss effekt; eleven kommer igång men behöver fortfarande stöd.",
    wf.AdaptationEffect.NOT_SUFFICIENT: "Ingen tydlig effekt; risken att inte nå kriterierna "
    "kvarstår.",
}
REVIEW_EFFECTS = {
    wf.FollowUpOutcome.CONTINUE: (10, 35, 40, 15),
    wf.FollowUpOutcome.REVISE: (5, 15, 35, 45),
    wf.FollowUpOutcome.CLOSE: (60, 35, 5, 0),
}

PUPIL_VIEWS_OF_ADAPTATIONS = (
    "Det är lättare att komma igång nu.",
    "Jag tycker att det hjälper ibland.",
    "Jag vill inte sitta själv.",
    "Bra, men det går fortfarande för fort.",
)
REFERRAL_RESULTS = "Resultaten på diagnoser och prov under terminen ligger under kravnivån."
# The investigation's mapping at the three levels (SL 3 kap. 7 §; process.md §2.3).
MAPPING_TEXT = {
    "individual_level": (
        "Eleven beskriver själv vad som är svårt; observationer under lektioner visar var i "
        "arbetet eleven fastnar."
    ),
    "group_level": (
        "Klassen är stor och arbetar mycket självständigt; eleven får lite stöd i övergångar."
    ),
    "school_level": "Skolans stöd under raster och i matsalen har setts över.",
    "results": "Diagnoser och bedömningsstöd från terminen är sammanställda.",
}
INVESTIGATION_PUPIL_VIEW = "Eleven vill ha mer hjälp i början av lektionerna."
INVESTIGATION_GUARDIAN_VIEW = (
    "Vårdnadshavarna ser att eleven är trött efter skoldagen och vill ha tätare kontakt."
)
EHT_CONSULTATION = (
    "Samråd i elevhälsoteamet: skolsköterska och kurator ser inga hinder för skolarbetet utanför "
    "det pedagogiska."
)
# Consultation with the pupil health team may be skipped only when plainly unnecessary (SL 3 kap.
# 7 § andra stycket).
EHT_SKIP_REASON = (
    "Svårigheterna gäller enbart ett ämne och elevhälsan har nyligen träffat eleven; samråd "
    "bedöms uppenbart obehövligt."
)
# The assessment, with a need of special support and without.
ASSESSED_NEEDED = {
    "cause_analysis": (
        "Svårigheterna hänger samman med att eleven inte har fått tillräckligt stöd i att komma "
        "igång och att följa genomgångar; anpassningarna har inte räckt."
    ),
    "proposed_measures": (
        "Särskilt stöd i form av riktade insatser i de ämnen och situationer där behoven finns, "
        "i första hand inom elevens egen grupp."
    ),
}
ASSESSED_NOT_NEEDED = {
    "cause_analysis": (
        "Eleven utvecklas i riktning mot kriterierna med de extra anpassningar som ges; "
        "svårigheterna är avgränsade och kan mötas i ordinarie undervisning."
    ),
}

PROGRAMME_PUPIL_VIEW = "Jag vill få hjälp utan att behöva gå ifrån klassen för ofta."
PROGRAMME_GUARDIAN_VIEW = "Vi vill veta hur det går och få återkoppling varannan vecka."
RESERVED_RETURN_PLAN = "Återgången till ordinarie undervisning prövas vid varje utvärdering."
ADAPTED_STUDY_PATH_DEVIATIONS = (
    "Eleven läser inte moderna språk; tiden används till svenska och matematik."
)
# The statement of reasons of a programme decision (FL 32 §), first and revised versions.
FIRST_PROGRAMME_REASONS = (
    "Utredningen visar att eleven är i behov av särskilt stöd ({areas}). Åtgärdsprogrammet anger "
    "hur behoven ska tillgodoses, vem som ansvarar och när stödet följs upp och utvärderas."
)
REVISED_PROGRAMME_REASONS = (
    "Utvärderingen visar att stödet behöver förändras ({areas}). Programmet revideras med "
    "utökade åtgärder; det tidigare programmet upphör att gälla."
)
RESERVED_SETTING_REASONS = (
    " Stödet ges delvis som {settings} eftersom det finns särskilda skäl som anges i programmet."
)
FOLLOW_UP_SUMMARY = {
    wf.FollowUpOutcome.CONTINUE: (
        "Åtgärderna genomförs och eleven utvecklas; programmet fortsätter."
    ),
    wf.FollowUpOutcome.REVISE: (
        "Åtgärderna räcker inte för alla behov; programmet behöver revideras med utökat stöd."
    ),
    wf.FollowUpOutcome.CLOSE: "Behoven är tillgodosedda; programmet kan avslutas.",
}
FOLLOW_UP_PUPIL_VIEW = "Det känns bättre nu, men jag behöver fortfarande hjälp."
FOLLOW_UP_GUARDIAN_VIEW = "Vi ser framsteg hemma också."
# How far each measure was carried out and what it achieved, weighted by the session's outcome.
CARRIED_OUT_WEIGHTS = {
    wf.FollowUpOutcome.CONTINUE: (70, 22, 8),
    wf.FollowUpOutcome.REVISE: (70, 22, 8),
    wf.FollowUpOutcome.CLOSE: (85, 13, 2),
}
# The school's handling of an appeal, step by step (FL 45–46 §§, SL 28 kap. 16 §).
APPEAL_NOTES = {
    wf.AppealAction.DISMISS_AS_LATE: "Överklagandet kom in efter sista dag och avvisas.",
    wf.AppealAction.RECONSIDER_AND_CHANGE: (
        "Beslutet ändras vid omprövning; ett reviderat åtgärdsprogram har beslutats."
    ),
    wf.AppealAction.FORWARD: (
        "Beslutet ändras inte vid omprövning; överlämnat till Skolväsendets överklagandenämnd."
    ),
    wf.AppealAction.RECORD_BOARD_UPHELD: "Nämnden har avslagit överklagandet.",
    wf.AppealAction.RECORD_BOARD_SET_ASIDE: (
        "Nämnden har upphävt beslutet; rektorn ska fatta ett nytt beslut."
    ),
    wf.AppealAction.RECORD_BOARD_RETURNED: (
        "Nämnden har visat ärendet åter till rektorn för ny handläggning."
    ),
}
# The board's rulings, by the state they leave the appeal in.
BOARD_RULINGS = {
    wf.AppealState.BOARD_UPHELD: wf.AppealAction.RECORD_BOARD_UPHELD,
    wf.AppealState.BOARD_SET_ASIDE: wf.AppealAction.RECORD_BOARD_SET_ASIDE,
    wf.AppealState.BOARD_RETURNED: wf.AppealAction.RECORD_BOARD_RETURNED,
}

REVISION_REASON = "Utvärderingen visar att åtgärderna inte räcker för alla behov."
RECONSIDERED_REASON = "Ändrat vid omprövning efter vårdnadshavarnas överklagande."
LAPSING_REVISION_REASON = "Behoven har förändrats; en revidering påbörjades."
CLOSURE_REASONS = (
    "Utvärderingen den {evaluated} visar att behoven är tillgodosedda. Eleven får fortsatt "
    "ledning och stimulans och vid behov extra anpassningar."
)
NO_PROGRAMME_REASONS = (
    "Utredningen visar att eleven utvecklas mot kriterierna med extra anpassningar inom "
    "ordinarie undervisning. Eleven bedöms inte vara i behov av särskilt stöd."
)
NO_PROGRAMME_INSTEAD = (
    "Eleven får fortsatt extra anpassningar som utvärderas var sjätte vecka. Mentorn håller "
    "vårdnadshavarna informerade."
)
# How long ago a no-programme decision was made, by the state its appeal has reached (days).
NO_PROGRAMME_AGE: dict[wf.AppealState | None, tuple[int, int]] = {
    None: (5, 500),
    wf.AppealState.REGISTERED: (6, 16),
    wf.AppealState.FORWARDED: (30, 90),
    wf.AppealState.BOARD_UPHELD: (150, 350),
    wf.AppealState.BOARD_SET_ASIDE: (90, 200),
    wf.AppealState.BOARD_RETURNED: (90, 200),
    wf.AppealState.DISMISSED_LATE: (50, 200),
}

# --------------------------------------------------------------------------- the demo unit

ELLA_REFERRAL_RESULTS = "Diagnoserna i matematik under terminen ligger under kravnivån."
ELLA_REVISION_REASON = (
    "Utvärderingen visar att stödet i matematik inte räcker; enskild undervisning läggs till under "
    "en period."
)
ELLA_RETURN_PLAN = "Återgången till undervisning i klassen prövas vid utvärderingen."
# The views the demo family adds themselves (process.md design rule 6).
ELLA_GUARDIAN_ON_PROGRAMME = (
    "Vi tycker att den enskilda undervisningen i matematik är bra, men vill att Ella får vara med "
    "klassen på genomgångarna."
)
ELLA_GUARDIAN_ON_DECISION = "Vi har tagit del av beslutet och har inget att invända."
ELLA_ON_FOLLOW_UP = "Det går bättre på matten nu, men planeringen är fortfarande svår."
