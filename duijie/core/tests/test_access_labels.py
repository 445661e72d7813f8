"""The read rule and the matching index's labels give the same answer.

For every viewer (every role, with and without a place: a city administrator without a city, a unit
administrator without a unit …, the server operator, anonymous visitors) and every record of a
generated variety (regions down to none, units and sub-units, parks, the four visibilities, every
state, classified, unexpired and expired grants, parties in every link), of each indexed kind and
of the confidential kinds: ``record in visible_queryset(user)`` ⇔ the record's labels and the
viewer's labels share one.

The one case a label cannot follow by itself is time: a grant that expires after the record was
indexed keeps its label until the record is refreshed (``core.selectors.visible_queryset`` re-checks
every result). The test takes both sides at the same moment, so the equality is exact.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from duijie.accounts.models import SERVER_OPERATOR_USERNAME
from duijie.core import access
from duijie.core.choices import Visibility
from duijie.core.models import AssessmentUnit, Grant, Organisation, Park, Region
from duijie.core.roles import Role
from duijie.core.selectors import visible_queryset
from duijie.core.tests import factories as f
from duijie.matching import visibility

pytestmark = pytest.mark.django_db

REGIONS = ("3204", "320412", "320411", "320583")
PER_KIND = 24


def _statuses(model) -> list:
    field = model._meta.get_field("status") if "status" in {x.name for x in model._meta.get_fields()} else None
    return [c for c, _label in field.choices] if field is not None and field.choices else [None]


def _world():
    rnd = random.Random(12)
    r = {c: Region.objects.get(code=c) for c in REGIONS}
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wj", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    town = AssessmentUnit.objects.create(name="湖塘镇", code="t-ht", kind="town", city=r["3204"], parent=wujin)
    xinbei = AssessmentUnit.objects.create(name="新北区", code="t-xb", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    kunshan = AssessmentUnit.objects.create(name="昆山市", code="t-ks", kind="district",
                                            city=Region.objects.get(code="3205"))
    kunshan.regions.set([r["320583"]])
    park_wj = Park.objects.create(name="武进高新区", region=r["320412"])
    park_ks = Park.objects.create(name="昆山开发区", region=r["320583"])
    wujin.parks.set([park_wj])
    kunshan.parks.set([park_ks])
    units = [wujin, town, xinbei, kunshan]
    parks = [park_wj, park_ks]

    def gov(name, **kw):
        return Organisation.objects.create(kind="government", name=name, **kw)

    bureaus = {
        "city": gov("常州市科技局", region=r["3204"]),
        "city_ks": gov("昆山市科技局", region=r["320583"]),
        "no_city": gov("某局（无城市）"),
        "wujin": gov("武进区科技局", region=r["320412"], assessment_unit=wujin),
        "town": gov("湖塘镇", region=r["320412"], assessment_unit=town),
        "no_unit": gov("某区（无考核单位）", region=r["320411"]),
        "park": gov("高新区管委会", region=r["320412"], park=park_wj),
        "no_park": gov("某园区（无园区）"),
    }
    ents = [f.enterprise(uscc=f.uscc(c), region=r[c],
                         park=park_wj if c == "320412" and i % 2 else None)
            for i, c in enumerate(("320412", "320412", "320411", "320583"))]
    insts = [f.institution(region=r["320412"]), f.institution(region=r["320583"])]
    experts = [f.expert(institution=insts[i % 2], region=r[REGIONS[i % 4]]) for i in range(3)]
    brokers_org = f.organisation("经纪机构", kind="other")
    users = {
        Role.CITY_ADMIN: f.user(role=Role.CITY_ADMIN, organisation=bureaus["city"]),
        "city_admin_kunshan": f.user(role=Role.CITY_ADMIN, organisation=bureaus["city_ks"]),
        "city_admin_without_city": f.user(role=Role.CITY_ADMIN, organisation=bureaus["no_city"]),
        "city_admin_without_bureau": f.user(role=Role.CITY_ADMIN),
        Role.UNIT_ADMIN: f.user(role=Role.UNIT_ADMIN, organisation=bureaus["wujin"]),
        "unit_admin_town": f.user(role=Role.UNIT_ADMIN, organisation=bureaus["town"]),
        "unit_admin_without_unit": f.user(role=Role.UNIT_ADMIN, organisation=bureaus["no_unit"]),
        Role.PARK_MANAGER: f.user(role=Role.PARK_MANAGER, organisation=bureaus["park"]),
        "park_manager_without_park": f.user(role=Role.PARK_MANAGER, organisation=bureaus["no_park"]),
        "enterprise": f.user(role=Role.ENTERPRISE, organisation=ents[1].organisation),
        "enterprise_kunshan": f.user(role=Role.ENTERPRISE, organisation=ents[3].organisation),
        "enterprise_without_org": f.user(role=Role.ENTERPRISE),
        "institution": f.user(role=Role.INSTITUTION, organisation=insts[0].organisation),
        "expert": f.user(role=Role.EXPERT, organisation=insts[0].organisation),
        "expert_without_record": f.user(role=Role.EXPERT),
        "broker": f.user(role=Role.BROKER, organisation=brokers_org),
        Role.SYSTEM_ADMIN: f.user(role=Role.SYSTEM_ADMIN, organisation=bureaus["city"]),
        Role.SECURITY_ADMIN: f.user(role=Role.SECURITY_ADMIN, organisation=bureaus["city"]),
        Role.AUDIT_ADMIN: f.user(role=Role.AUDIT_ADMIN, organisation=bureaus["city"]),
    }
    operator = f.user(username=SERVER_OPERATOR_USERNAME, role=Role.CITY_ADMIN)
    operator.set_unusable_password()
    operator.save()
    users["server_operator"] = operator
    experts[0].user = users["expert"]
    experts[0].save()
    people = list(users.values())
    filers = [None, *people[:16]]
    orgs = [None, *bureaus.values(), *(e.organisation for e in ents), *(i.organisation for i in insts)]

    def scatter(obj, model):
        """Random place, filer, visibility, state and units (saved through the ORM: the rule under
        test is the read rule, not the write services)."""
        code = rnd.choice([*REGIONS, None])
        obj.region = r[code] if code else None
        if hasattr(obj, "park_id"):
            obj.park = rnd.choice([None, *parks])
        obj.visibility = rnd.choice(["public", "platform", "restricted", "classified"])
        obj.filed_by = rnd.choice(filers)
        obj.filed_by_org = rnd.choice(orgs)
        obj.owner_org = rnd.choice([obj.owner_org, *orgs[:3]])
        status = rnd.choice(_statuses(model))
        if status is not None:
            obj.status = status
        obj.save()
        obj.assessment_units.set(rnd.sample(units, rnd.randint(0, 2)))
        if rnd.random() < 0.3:
            expires = rnd.choice([None, timezone.localdate() + timedelta(days=3),
                                  timezone.localdate() - timedelta(days=1)])
            Grant.objects.create(content_type=ContentType.objects.get_for_model(model), object_id=obj.pk,
                                 user=rnd.choice(people), expires_on=expires)
        return obj

    from duijie.demands.models import Demand
    from duijie.experts.models import Expert
    from duijie.orgs.models import Enterprise
    from duijie.pairings.models import Pairing, Placement
    from duijie.supply.models import Achievement, Carrier, Patent

    for i in range(PER_KIND):
        ent, inst, exp = ents[i % 4], insts[i % 2], experts[i % 3]
        scatter(f.demand(ent), Demand)
        scatter(f.achievement(inst, lead_expert=exp if i % 2 else None), Achievement)
        patent = scatter(f.patent(), Patent)
        patent.applicant_orgs.set(rnd.sample([e.organisation for e in ents] + [i.organisation for i in insts],
                                             rnd.randint(0, 2)))
        patent.inventor_experts.set(rnd.sample(experts, rnd.randint(0, 2)))
        scatter(f.expert(institution=inst, user=None), Expert)
        scatter(f.enterprise(uscc=f.uscc()), Enterprise)
        scatter(Carrier.objects.create(name=f"载体{i}", kind=Carrier._meta.get_field("kind").choices[0][0],
                                       level=Carrier._meta.get_field("level").choices[0][0],
                                       host=rnd.choice([None, inst.organisation])), Carrier)
        today = timezone.localdate()
        liaison = i % 3 == 0
        scatter(Pairing.objects.create(enterprise=ent, kind="liaison" if liaison else "expert", start_on=today,
                                       expert=None if liaison else exp, liaison=people[i % 9] if liaison else None),
                Pairing)
        scatter(Placement.objects.create(
            expert=rnd.choice([None, exp]), host_enterprise=rnd.choice([None, ent]), home_institution=rnd.choice(
                [None, inst]), scheme=Placement._meta.get_field("scheme").choices[0][0], year=2025,
            person_name=f"派驻{i}", start_on=today), Placement)
    kinds = [Demand, Achievement, Patent, Expert, Enterprise, Carrier, Pairing, Placement, Park]
    return users, kinds


def test_labels_give_the_read_rule_for_every_role_and_record():
    users, kinds = _world()
    viewers = {**users, "anonymous": AnonymousUser()}
    assert {u.role for u in users.values()} == set(Role)
    compared = granted = partial = 0
    for model in kinds:
        sel, pre = access.label_joins(model)
        objs = list(model._default_manager.select_related(*sel).prefetch_related(*pre))
        grants = access.grants_by_object(model, [o.pk for o in objs])
        keys = {o.pk: access.record_keys(o, grants.get(str(o.pk), set())) for o in objs}
        for name, user in viewers.items():
            held = access.viewer_keys(user)
            by_labels = {pk for pk, k in keys.items() if held is None or k & held}
            by_rule = set(visible_queryset(model, user).values_list("pk", flat=True))
            assert by_labels == by_rule, (model._meta.label, name, sorted(by_labels ^ by_rule))
            compared += len(objs)
            if name == "enterprise":
                granted += len(by_rule)
            partial += 0 < len(by_rule) < len(objs)
            if user.is_authenticated:  # what the index stores and masks with
                labels = visibility.viewer_labels(user)
                stored = {o.pk: set(visibility.record_labels(o, grants.get(str(o.pk), set()))) for o in objs}
                assert {pk for pk, k in stored.items() if labels is None or k & set(labels)} == by_rule
    assert compared >= PER_KIND * 8 * len(viewers) and granted > 0
    # The comparison discriminates: most viewers see some records of a kind and not others.
    assert partial > len(kinds) * len(viewers) // 2, partial


def test_platform_administrators_and_anonymous_visitors():
    users, _kinds = _world()
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        user = next(u for u in users.values() if u.role == role)
        assert access.viewer_keys(user) == set() and visibility.viewer_labels(user) == []
    assert access.viewer_keys(AnonymousUser()) == {access.PUBLIC}
    assert visibility.viewer_labels(AnonymousUser()) == []  # matching answers logged-in users only
    assert visibility.viewer_labels(users["server_operator"]) is visibility.EVERYTHING
    # A city administrator without a city is not the whole platform: its bureau's filings, open records.
    assert visibility.viewer_labels(users["city_admin_without_city"]) is not None


def test_confidential_records_are_never_read_anonymously_whatever_their_visibility():
    """Pairings and placements marked public stay with their parties and scope (the visibility field
    does not open business-confidential records to the portal's anonymous visitors)."""
    from duijie.pairings.models import Pairing, Placement

    _world()
    for model in (Pairing, Placement):
        public = model._default_manager.filter(visibility=Visibility.PUBLIC)
        assert public.exists(), model
        assert not visible_queryset(model, AnonymousUser()).exists()
        assert all(access.PUBLIC not in access.record_keys(o) for o in public)
