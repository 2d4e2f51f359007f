"""Every change to the support chain. The workflow decides; these functions carry it out.

Each service is keyword-only and atomic: it locks what it changes, asks elevstod.support.workflow,
saves, and writes the change's ChainEvent and access-log row in the same transaction (style.md,
"audit inside the transaction"). Callers pass objects already checked by elevstod.access and the
acting user; a refusal raises workflow.RefusalError, a concurrent edit raises EditConflictError.

One module per record kind, named as in the other layers (decision 0011): `concerns`,
`adaptations`, `referrals`, `investigations`, `programmes`, `decisions` (and their service on
each recipient), `follow_ups`, `appeals`, `participant_views`, `drafts`, `deadlines` (the
huvudman's settings) and `tasks` (the reminder job's runs). `_recording` holds what they share.
Callers import the package (`from elevstod.support import services`); every public name is
re-exported here.
"""

from elevstod.support.services._recording import EditConflictError
from elevstod.support.services.adaptations import (
    adaptation_create,
    adaptation_evaluate,
    adaptation_update,
)
from elevstod.support.services.appeals import _reopen_after_appeal, appeal_handle, appeal_register
from elevstod.support.services.concerns import concern_close, concern_create
from elevstod.support.services.deadlines import (
    DEADLINES_RECORD_TYPE,
    DeadlineChange,
    deadlines_change,
    deadlines_for,
    deadlines_update,
)
from elevstod.support.services.decisions import (
    Authority,
    authority_of,
    create_service_rows,
    decide_closure,
    decide_no_programme,
    decide_programme,
    service_confirm_receipt,
    service_correct,
    service_record,
)
from elevstod.support.services.drafts import draft_autosave, draft_discard
from elevstod.support.services.follow_ups import ReviewInput, follow_up_record
from elevstod.support.services.investigations import (
    assessment_facts,
    investigation_conclude,
    investigation_open,
    investigation_save,
)
from elevstod.support.services.participant_views import VIEW_ABOUT, participant_view_add
from elevstod.support.services.programmes import (
    MeasureInput,
    NeedInput,
    programme_draft_from_investigation,
    programme_facts,
    programme_save,
    programme_start_revision,
)
from elevstod.support.services.referrals import referral_create, referral_receive
from elevstod.support.services.tasks import reminder_run_finish, reminder_run_start

# The names the demo's comments point at (demo/support_chain.py), kept where they were.
_create_service_rows = create_service_rows

__all__ = [
    "DEADLINES_RECORD_TYPE",
    "VIEW_ABOUT",
    "Authority",
    "DeadlineChange",
    "EditConflictError",
    "MeasureInput",
    "NeedInput",
    "ReviewInput",
    "_create_service_rows",
    "_reopen_after_appeal",
    "adaptation_create",
    "adaptation_evaluate",
    "adaptation_update",
    "appeal_handle",
    "appeal_register",
    "assessment_facts",
    "authority_of",
    "concern_close",
    "concern_create",
    "create_service_rows",
    "deadlines_change",
    "deadlines_for",
    "deadlines_update",
    "decide_closure",
    "decide_no_programme",
    "decide_programme",
    "draft_autosave",
    "draft_discard",
    "follow_up_record",
    "investigation_conclude",
    "investigation_open",
    "investigation_save",
    "participant_view_add",
    "programme_draft_from_investigation",
    "programme_facts",
    "programme_save",
    "programme_start_revision",
    "referral_create",
    "referral_receive",
    "reminder_run_finish",
    "reminder_run_start",
    "service_confirm_receipt",
    "service_correct",
    "service_record",
]
