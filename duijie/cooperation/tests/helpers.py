"""Small builders for cooperation tests: events, invitations, slots, intentions, projects."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from duijie.core.tests import factories as f

_n = itertools.count(1)


def event(**kw):
    from duijie.events.models import Event

    kw.setdefault("title", f"测试活动{next(_n)}")
    kw.setdefault("event_type", "uni_to_park")
    kw.setdefault("starts_at", timezone.make_aware(datetime(2025, 5, 10, 9, 0)))
    return Event.objects.create(**f.placed(kw))


def invite(ev, status="invited", checked_in=False, **party):
    from duijie.events.models import Invitation

    if not party:
        party = {"enterprise": f.enterprise()}
    return Invitation.objects.create(event=ev, status=status,
                                     checked_in_at=ev.starts_at if checked_in else None, **party)


def slot(ev, held=True, minutes=0):
    from duijie.events.models import MeetingSlot

    start = ev.starts_at + timedelta(minutes=minutes)
    return MeetingSlot.objects.create(event=ev, starts_at=start, ends_at=start + timedelta(minutes=20),
                                      enterprise=f.enterprise(), expert=f.expert(institution=f.institution()),
                                      held=held)


def intention(ev=None, **kw):
    from duijie.events.models import Intention

    if "enterprise" not in kw:
        kw["enterprise"] = f.enterprise()
    kw.setdefault("subject", f"合作意向{next(_n)}")
    kw.setdefault("signed_on", date(2025, 5, 10))
    return Intention.objects.create(event=ev, **f.placed(kw))


def project(**kw):
    from duijie.cooperation.models import CooperationProject

    kw.setdefault("title", f"合作项目{next(_n)}")
    kw.setdefault("source", "other")
    return CooperationProject.objects.create(**f.placed(kw))


def contract(**kw):
    from duijie.cooperation.models import TechContract

    kw.setdefault("title", f"技术开发合同{next(_n)}")
    kw.setdefault("contract_type", "dev_commissioned")
    if "enterprise" not in kw:
        kw["enterprise"] = f.enterprise()
    if "seller_enterprise" not in kw and "institution" not in kw:
        kw["institution"] = f.institution()
    kw.setdefault("amount", Decimal("500000"))
    kw.setdefault("signed_on", date(2025, 6, 1))
    return TechContract.objects.create(**f.placed(kw))
