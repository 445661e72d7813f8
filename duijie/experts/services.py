"""Writes for experts' own data (PIPL): consent to the privacy notice, and erasure of their personal
fields — in the record and in every row of its change history. Audit entries name fields only."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from duijie.core import changes
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.registry import personal_fields
from duijie.experts.models import Expert

PRIVACY_NOTICE_VERSION = "2026-1"


def expert_record_consent(*, expert: Expert, by) -> Expert:
    with transaction.atomic():
        Expert.objects.filter(pk=expert.pk).update(consent_notice=PRIVACY_NOTICE_VERSION, consent_at=timezone.now())
        audit(user=by, action=AuditAction.UPDATE, obj=expert, detail={"consent": PRIVACY_NOTICE_VERSION})
        changes.announce(changes.Kind.UPDATED, Expert, [expert.pk], fields=["consent_notice", "consent_at"])
    expert.refresh_from_db()
    return expert


def expert_set_do_not_recommend(*, expert: Expert, wanted: bool, by) -> Expert:
    """The expert's own opt-out (PIPL), announced as ``opted_out`` (opting in again: ``updated``) so
    everything that keeps a copy of the profile (the matching index files) drops it once this
    commits, not at the next rebuild."""
    with transaction.atomic():
        locked = Expert.objects.select_for_update().get(pk=expert.pk)
        locked.do_not_recommend = wanted
        locked._history_user = by
        locked.save(update_fields=["do_not_recommend", "updated_at"])
        audit(user=by, action=AuditAction.UPDATE, obj=locked, detail={"fields": ["do_not_recommend"]})
        changes.announce(changes.Kind.OPTED_OUT if wanted else changes.Kind.UPDATED, Expert, [locked.pk],
                         fields=["do_not_recommend"])
    return locked


def expert_erase_personal_data(*, expert: Expert, by) -> Expert:
    """Erase phone and email (and their keyed hashes) from the profile and its whole history, and
    stop recommending the expert. Name, unit and fields stay (they are the public profile)."""
    fields = personal_fields(Expert)
    blank = {name: "" for name in fields} | {f"{name}_hash": "" for name in fields}
    with transaction.atomic():
        locked = Expert.objects.select_for_update().get(pk=expert.pk)
        for name, value in blank.items():
            setattr(locked, name, value)
        locked.do_not_recommend, locked.personal_data_erased_at = True, timezone.now()
        # The history row this save adds holds the blanks; the older rows are blanked below.
        locked._history_user = by
        locked.save()
        Expert.history.filter(id=expert.pk).update(**blank)
        audit(user=by, action=AuditAction.UPDATE, obj=expert,
              detail={"erased": sorted(fields), "history_rows": Expert.history.filter(id=expert.pk).count()})
        # Copies of the profile (the matching index files) drop it once this commits.
        changes.announce(changes.Kind.ERASED, Expert, [expert.pk], fields=[*sorted(blank), "do_not_recommend"])
    expert.refresh_from_db()
    return expert
