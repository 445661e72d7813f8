"""What matching does when a write announces a change (``core.changes``), subscribed in ``apps.ready``.

- A record of a declared model created, updated, deleted or with new visibility (grants included)
  is marked dirty: on the interactive lane, or the bulk lane when the write was a bulk one (imports).
- An expert's opt-out or erasure removes the expert from the stored index files at once, before the
  announcing request answers (the page promises it), rather than waiting for a worker.
- Cooperation projects, technology contracts and pairings are not indexed, but they are the
  records' past-cooperation partners (``matching.cooperation``): a change to one marks the records
  of its parties; a change to an enterprise's, expert's or institution's side of those relations
  (``core.services`` announces the old and the new parties of a changed relation) marks those parties.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps

from duijie.core import changes
from duijie.matching import freshness, services
from duijie.matching.models import Lane

_PARTY_KIND = {"orgs.Enterprise": "enterprise", "experts.Expert": "expert", "orgs.Institution": "institution"}
_LINK_MODELS = ("cooperation.CooperationProject", "cooperation.TechContract", "pairings.Pairing")


@cache
def party_relations() -> dict[str, frozenset[str]]:
    """Party model label → the names of its relations to cooperation records (``cooperation_projects``,
    ``pairings``, …), read from the link models' fields."""
    out: dict[str, set[str]] = {label: set() for label in _PARTY_KIND}
    for label in _LINK_MODELS:
        for f in apps.get_model(label)._meta.get_fields():
            if (f.many_to_many or f.many_to_one) and not f.auto_created and f.related_model is not None:
                other = f.related_model._meta.label
                if other in out:
                    out[other].add(f.remote_field.get_accessor_name())
    return {label: frozenset(names) for label, names in out.items()}


def on_change(change: changes.Change) -> None:
    if change.kind in (changes.Kind.OPTED_OUT, changes.Kind.ERASED):
        services.drop_now(change.model, change.pks)
        return
    lane = Lane.BULK if change.bulk else Lane.INTERACTIVE
    if change.label in _LINK_MODELS:
        freshness.mark_links_dirty(change.label, change.pks, lane=lane)
        return
    kind = _PARTY_KIND.get(change.label)
    if kind and change.fields & party_relations()[change.label]:
        freshness.mark_parties_dirty(**{kind + "s": change.pks}, lane=lane)
    services.mark_dirty(change.model, change.pks, lane=lane)


def subscribe() -> None:
    changes.subscribe(on_change)
