"""Background work of matching (django-tasks; thin and idempotent — each reads the dirty table).

Queues: ``match-interactive`` (edits; run a worker on it alone or with ``default``) and
``match-bulk`` (imports, rebuilds, vector encoding). See README, "Matching".
"""

from __future__ import annotations

from django_tasks import task

from duijie.matching.models import Lane


@task(queue_name="match-interactive")
def refresh_interactive() -> dict:
    from duijie.matching import services

    out = services.refresh(lane=Lane.INTERACTIVE)
    if out["left"]:
        refresh_interactive.enqueue()
    return out


@task(queue_name="match-bulk")
def refresh_bulk() -> dict:
    from duijie.matching import services

    out = services.refresh(lane=Lane.BULK)
    if out["left"]:
        refresh_bulk.enqueue()  # one batch per task: an interactive refresh can take the lock between
    return out


@task(queue_name="match-bulk")
def encode_pending() -> int:
    from duijie.matching import services

    return services.encode_pending()
