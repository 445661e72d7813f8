"""The warm-up after a write: the programme figures of the recent readers computed in the background,
so the first progress page after a write reads them from the cache instead of counting a city's
records while the user waits (at a million records: seconds).

Any announced write (``core.changes``) starts a new figure generation (``figures.on_change``) and,
when someone has read programme figures lately (``figures.note_reader``), queues one warm-up —
deferred by ``DUIJIE_FIGURE_WARMUP_SECONDS`` where the task backend can defer, so a burst of writes
(an import) is followed by one warm-up, not one per record. At most one waits at a time: the warm-up
clears its mark as it starts, so a write during a warm-up queues the next. ``None`` turns it off."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from duijie.programmes import figures, progress

QUEUED_KEY = "programmes:figures:warm-up-queued"


def on_change(change) -> None:
    """``core.changes`` subscriber: a new figure generation, and a warm-up queued (see above)."""
    figures.on_change(change)
    delay = settings.DUIJIE_FIGURE_WARMUP_SECONDS
    if delay is None or not figures.recent_readers():
        return
    if not cache.add(QUEUED_KEY, timezone.now().isoformat(), timeout=int(delay) + 3600):
        return  # one is waiting already: it will read this write too
    job = warm_figures
    if delay and job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + timedelta(seconds=delay))
    job.enqueue()


@task(queue_name="default")
def warm_figures() -> dict:
    """Every programme figure of each recent reader, computed and kept (``progress.recompute``)."""
    cache.delete(QUEUED_KEY)  # from now on a write queues the next warm-up
    readers = get_user_model().objects.filter(pk__in=figures.recent_readers(), is_active=True)
    done = {}
    for user in readers.select_related("organisation"):
        if getattr(user, "is_government", False):
            done[user.pk] = progress.recompute(user)
    return {"readers": len(done), "figures": sum(done.values())}
