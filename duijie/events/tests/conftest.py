"""A small world for the events tests: 武进 and 新北 units with their science bureaus, a park, an
enterprise user, an expert user, invitees, and an event organised by 武进."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from duijie.core.models import AssessmentUnit, Industry, Organisation, Park, Region
from duijie.core.roles import Role
from duijie.core.tests import factories as f


@dataclass
class World:
    wujin_admin: object
    xinbei_admin: object
    city_admin: object
    park_manager: object
    ent_user: object
    ent_user2: object
    expert_user: object
    ent: object
    ent2: object
    ents: list
    experts: list
    inst: object
    wujin_unit: object
    xinbei_unit: object
    industry: object


@pytest.fixture
def world(db) -> World:
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    wujin = AssessmentUnit.objects.create(name="武进区", code="ev-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    xinbei = AssessmentUnit.objects.create(name="新北区", code="ev-xinbei", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    park = Park.objects.create(name="活动测试园区", region=r["320412"])
    gov_city = Organisation.objects.create(kind="government", name="常州市科技局", region=r["3204"])
    gov_wj = Organisation.objects.create(kind="government", name="武进区科技局", region=r["320412"],
                                         assessment_unit=wujin)
    gov_xb = Organisation.objects.create(kind="government", name="新北区科技局", region=r["320411"],
                                         assessment_unit=xinbei)
    gov_park = Organisation.objects.create(kind="government", name="园区管委会", region=r["320412"], park=park)
    industry = Industry.objects.filter(level=4, code__startswith="39").first()
    ents = [f.enterprise(name=f"武进智造{i}有限公司", region=r["320412"], industry=industry,
                         contact_phone="13812345678") for i in range(4)]
    inst = f.institution(name="常州测试大学", region=r["320412"])
    experts = []
    for i in range(3):
        e = f.expert(name=f"王教授{i}", institution=inst, region=r["320412"], phone="13912345678")
        e.industries.set([industry])
        experts.append(e)
    ent_user = f.user(role=Role.ENTERPRISE, organisation=ents[0].organisation)
    ent_user2 = f.user(role=Role.ENTERPRISE, organisation=ents[1].organisation)
    expert_user = f.user(role=Role.EXPERT, organisation=inst.organisation)
    experts[0].user = expert_user
    experts[0].save()
    return World(
        wujin_admin=f.user(role=Role.UNIT_ADMIN, organisation=gov_wj),
        xinbei_admin=f.user(role=Role.UNIT_ADMIN, organisation=gov_xb),
        city_admin=f.user(role=Role.CITY_ADMIN, organisation=gov_city),
        park_manager=f.user(role=Role.PARK_MANAGER, organisation=gov_park),
        ent_user=ent_user, ent_user2=ent_user2, expert_user=expert_user, ent=ents[0], ent2=ents[1], ents=ents,
        experts=experts, inst=inst, wujin_unit=wujin, xinbei_unit=xinbei, industry=industry)


def make_event(by, *, status="planned", capacity=None, title="武进智能制造老师—老板面对面", days=0, **kw):
    from duijie.events.models import Event
    from duijie.events.services.lifecycle import event_create

    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=days)
    event = event_create(by=by, instance=Event(title=title, event_type="face_to_face", starts_at=start,
                                               ends_at=start + timedelta(hours=3), capacity=capacity,
                                               venue="武进科教城", theme="智能制造", **kw))
    if status != "planned":
        type(event).objects.filter(pk=event.pk).update(status=status)
        event.refresh_from_db()
    return event
