"""The support chain's pages, in the order of the chain: the pupil's support page, then one block
per record kind (concern → adaptation → report → investigation → decision → programme →
follow-up → appeal), then drafts and what is due.

Names live in the "support:" namespace and are used by elevstod.support.due and the support
page's selectors (keep them). A record's page answers GET; every act on it posts to a URL of its
own below the page (decision 0011). URLs carry UUIDs only, never names or personnummer.
"""

from django.urls import URLPattern, path

from elevstod.support.forms.programmes import MEASURES, NEEDS
from elevstod.support.views import (
    adaptations,
    appeals,
    concerns,
    decisions,
    documents,
    drafts,
    follow_ups,
    investigations,
    participant_views,
    programmes,
    referrals,
    support_page,
    tasks,
)

app_name = "support"

PUPIL = "elever/<uuid:pupil_id>/stod/"
CONCERN = "stod/oro/<uuid:concern_id>/"
ADAPTATION = "stod/anpassningar/<uuid:adaptation_id>/"
REFERRAL = "stod/anmalan/<uuid:referral_id>/"
INVESTIGATION = "stod/utredningar/<uuid:investigation_id>/"
# The investigation's decision and document, below the second half's shorter prefix.
DECIDED_INVESTIGATION = "utredning/<uuid:investigation_id>/"
DECISION = "beslut/<uuid:decision_id>/"
SERVICE = DECISION + "delgivning/<uuid:service_id>/"
PROGRAMME = "atgardsprogram/<uuid:programme_id>/"
FOLLOW_UP = "uppfoljning/<uuid:follow_up_id>/"
APPEAL = "overklagande/<uuid:appeal_id>/"
DRAFT = "stod/utkast/<slug:record_type>/<uuid:record_id>/"

service_act = decisions.decision_service_act  # one view; the URL says which act (SERVICE_ACTS)
add_row = programmes.programme_add_row  # one view; the URL says which row

urlpatterns: list[URLPattern] = [
    path(PUPIL, support_page.pupil_support, name="pupil_support"),
    # Concerns (SL 3 kap. 5 §)
    path(PUPIL + "oro/ny/", concerns.concern_create, name="concern_create"),
    path(CONCERN, concerns.concern_detail, name="concern_detail"),
    path(CONCERN + "avsluta/", concerns.concern_close, name="concern_close"),
    # Extra adaptations (SL 3 kap. 5 §)
    path(PUPIL + "anpassningar/ny/", adaptations.adaptation_create, name="adaptation_create"),
    path(ADAPTATION, adaptations.adaptation_detail, name="adaptation_detail"),
    path(ADAPTATION + "andra/", adaptations.adaptation_update, name="adaptation_update"),
    path(ADAPTATION + "utvardera/", adaptations.adaptation_evaluate, name="adaptation_evaluate"),
    path("mina-anpassningar/", adaptations.my_adaptations, name="my_adaptations"),
    # Reports to the principal (SL 3 kap. 7 §)
    path(PUPIL + "anmalan/ny/", referrals.referral_create, name="referral_create"),
    path(REFERRAL, referrals.referral_detail, name="referral_detail"),
    path(REFERRAL + "kvittera/", referrals.referral_receive, name="referral_receive"),
    # Investigations (SL 3 kap. 7 §)
    path(
        REFERRAL + "inled-utredning/", investigations.investigation_open, name="investigation_open"
    ),
    path(INVESTIGATION, investigations.investigation_detail, name="investigation_detail"),
    path(INVESTIGATION + "redigera/", investigations.investigation_edit, name="investigation_edit"),
    path(
        INVESTIGATION + "slutfor/",
        investigations.investigation_conclude,
        name="investigation_conclude",
    ),
    path(DECIDED_INVESTIGATION + "pdf/", documents.investigation_pdf, name="investigation_pdf"),
    # Kommunicering before an adverse decision (FL 25 §; decision 0014)
    path(
        INVESTIGATION + "kommunicering/",
        investigations.investigation_communicate,
        name="investigation_communicate",
    ),
    path(
        INVESTIGATION + "kommunicering/svar/",
        investigations.investigation_communication_answer,
        name="investigation_communication_answer",
    ),
    # Decisions (SL 3 kap. 9 §; FL 32–33, 44 §§)
    path(DECIDED_INVESTIGATION + "beslut/", decisions.decision_create, name="decision_create"),
    path(PROGRAMME + "besluta/", decisions.programme_decide, name="programme_decide"),
    path(PROGRAMME + "avsluta/", decisions.programme_close, name="programme_close"),
    path(
        PROGRAMME + "kommunicering/",
        programmes.programme_communicate,
        name="programme_communicate",
    ),
    path(
        PROGRAMME + "kommunicering/svar/",
        programmes.programme_communication_answer,
        name="programme_communication_answer",
    ),
    path(DECISION, decisions.decision_detail, name="decision_detail"),
    path(DECISION + "synpunkt/", participant_views.decision_view_add, name="decision_view_add"),
    path(SERVICE, service_act, {"act": "serve"}, name="decision_serve"),
    path(SERVICE + "rattelse/", service_act, {"act": "correct"}, name="decision_correct_receipt"),
    path(
        SERVICE + "bekraftelse/", service_act, {"act": "confirm"}, name="decision_confirm_receipt"
    ),
    path(DECISION + "pdf/", documents.decision_pdf, name="decision_pdf"),
    # Action programmes (SL 3 kap. 9 §)
    path(PROGRAMME, programmes.programme_detail, name="programme_detail"),
    path(PROGRAMME + "synpunkt/", participant_views.programme_view_add, name="programme_view_add"),
    path(PROGRAMME + "redigera/", programmes.programme_edit, name="programme_edit"),
    path(PROGRAMME + "spara/", programmes.programme_save, name="programme_save"),
    path(PROGRAMME + "nytt-behov/", add_row, {"part": NEEDS}, name="programme_add_need"),
    path(PROGRAMME + "ny-atgard/", add_row, {"part": MEASURES}, name="programme_add_measure"),
    path(PROGRAMME + "revidera/", programmes.programme_revise, name="programme_revise"),
    path(PROGRAMME + "skillnader/", programmes.programme_diff, name="programme_diff"),
    path(PROGRAMME + "pdf/", documents.programme_pdf, name="programme_pdf"),
    # Follow-ups and evaluations (SL 3 kap. 9 §)
    path(PROGRAMME + "uppfoljning/", follow_ups.follow_up_create, name="follow_up_create"),
    path(FOLLOW_UP, follow_ups.follow_up_detail, name="follow_up_detail"),
    path(FOLLOW_UP + "synpunkt/", participant_views.follow_up_view_add, name="follow_up_view_add"),
    path(FOLLOW_UP + "pdf/", documents.follow_up_pdf, name="follow_up_pdf"),
    # Appeals (FL 43–46 §§)
    path(DECISION + "overklagande/", appeals.appeal_register, name="appeal_register"),
    path(APPEAL, appeals.appeal_detail, name="appeal_detail"),
    path(APPEAL + "handlagg/", appeals.appeal_handle, name="appeal_handle"),
    # Autosaved drafts (process.md rule 7)
    path(DRAFT, drafts.draft_autosave, name="draft_autosave"),
    path(DRAFT + "slang/", drafts.draft_discard, name="draft_discard"),
    # What is due: "Mina uppgifter" and the huvudman's deadline settings
    path("mina-uppgifter/", tasks.my_tasks, name="my_tasks"),
    path("tidsfrister/", tasks.deadline_settings, name="deadline_settings"),
]
