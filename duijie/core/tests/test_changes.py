"""core.changes: announcements reach subscribers after commit only, coalesced, isolated from failures."""

import logging

import pytest
from django.db import transaction

from duijie.core import changes
from duijie.core.changes import Change, Kind
from duijie.core.tests import factories as f


@pytest.fixture
def heard():
    got: list[Change] = []

    def listen(change: Change) -> None:
        got.append(change)

    changes.subscribe(listen, models={"demands.Demand"})
    yield got
    changes.unsubscribe(listen)


def test_an_announcement_waits_for_the_commit(db, heard, django_capture_on_commit_callbacks):
    from duijie.demands.models import Demand

    with django_capture_on_commit_callbacks(execute=True):
        changes.announce(Kind.UPDATED, Demand, [7], fields=["title"])
        assert heard == []  # not before the commit
    assert heard == [Change(Kind.UPDATED, Demand, (7,), frozenset({"title"}))]


def test_outside_a_transaction_it_is_dispatched_at_once(heard):  # no database, so no transaction
    from duijie.demands.models import Demand

    changes.announce(Kind.DELETED, Demand, [3])
    assert heard == [Change(Kind.DELETED, Demand, (3,))]


def test_a_rolled_back_transaction_announces_nothing(db, heard, django_capture_on_commit_callbacks):
    from duijie.demands.models import Demand

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                changes.announce(Kind.CREATED, Demand, [1])
                raise RuntimeError("write failed")
        except RuntimeError:
            pass
        changes.announce(Kind.CREATED, Demand, [2])  # the same key after the rollback is still heard
    assert heard == [Change(Kind.CREATED, Demand, (2,))]


def test_announcements_in_one_transaction_are_coalesced(db, heard, django_capture_on_commit_callbacks):
    from duijie.demands.models import Demand

    with django_capture_on_commit_callbacks(execute=True):
        changes.announce(Kind.UPDATED, Demand, [1, 2], fields=["title"], bulk=True)
        changes.announce(Kind.UPDATED, Demand, [2, 3], fields=["status"], bulk=True)
        changes.announce(Kind.UPDATED, Demand, [4])  # not bulk: its own change
        changes.announce(Kind.DELETED, Demand, [5])
    assert heard == [Change(Kind.UPDATED, Demand, (1, 2, 3), frozenset({"title", "status"}), bulk=True),
                     Change(Kind.UPDATED, Demand, (4,)), Change(Kind.DELETED, Demand, (5,))]


def test_a_failing_subscriber_is_logged_and_the_others_still_hear(db, heard, caplog,
                                                                   django_capture_on_commit_callbacks):
    from duijie.demands.models import Demand

    def broken(change: Change) -> None:
        raise ValueError("subscriber bug")

    changes.subscribe(broken)
    try:
        with caplog.at_level(logging.ERROR, logger="duijie.core.changes"), \
                django_capture_on_commit_callbacks(execute=True):
            changes.announce(Kind.UPDATED, Demand, [9])
    finally:
        changes.unsubscribe(broken)
    assert heard == [Change(Kind.UPDATED, Demand, (9,))]
    assert "subscriber bug" in caplog.text


def test_filters_by_kind_and_model(db, django_capture_on_commit_callbacks):
    from duijie.demands.models import Demand
    from duijie.experts.models import Expert

    got = []
    changes.subscribe(got.append, kinds={Kind.OPTED_OUT}, models=[Expert])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            changes.announce(Kind.OPTED_OUT, Demand, [1])
            changes.announce(Kind.UPDATED, Expert, [1])
            changes.announce(Kind.OPTED_OUT, Expert, [2])
    finally:
        changes.unsubscribe(got.append)
    assert got == [Change(Kind.OPTED_OUT, Expert, (2,))]


def test_record_save_announces_what_changed(db, heard, django_capture_on_commit_callbacks):
    from duijie.core.services import record_delete, record_save
    from duijie.demands.models import Demand

    d = f.demand(title="旧标题", visibility="public")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        d.title, d.visibility = "新标题", "restricted"
        record_save(instance=d, by=None)
    assert heard == [Change(Kind.UPDATED, Demand, (d.pk,), frozenset({"title", "visibility"})),
                     Change(Kind.VISIBILITY_CHANGED, Demand, (d.pk,), frozenset({"visibility"}))]
    heard.clear()
    pk = d.pk
    with django_capture_on_commit_callbacks(execute=True):
        record_delete(instance=d, by=None)
    assert heard == [Change(Kind.DELETED, Demand, (pk,))]


def test_a_write_refused_inside_the_service_announces_nothing(db, heard, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    from duijie.core.services import record_save

    d = f.demand()
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        d.title = ""
        record_save(instance=d, by=None)
    assert heard == []


def test_a_workflow_step_announces_the_status_change(db, heard, django_capture_on_commit_callbacks):
    from duijie.demands.models import Demand
    from duijie.demands.services import demand_submit

    d = f.demand(status="draft")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demand_submit(instance=d, by=None)
    assert heard == [Change(Kind.UPDATED, Demand, (d.pk,), frozenset({"status"}))]


def test_no_app_of_ours_listens_to_model_signals():
    """Cross-app flow goes through core.changes; model signals are left to libraries (history)."""
    import weakref

    from django.db.models import signals

    ours = []
    for name in ("pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed"):
        for entry in getattr(signals, name).receivers:
            receiver = entry[1]
            if isinstance(receiver, weakref.ReferenceType):
                receiver = receiver()
            module = getattr(receiver, "__module__", "") or getattr(getattr(receiver, "__self__", None),
                                                                   "__module__", "")
            if module.startswith("duijie."):
                ours.append((name, module, getattr(receiver, "__qualname__", receiver)))
    assert ours == []
