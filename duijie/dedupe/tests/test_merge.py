"""The merge service: every reference re-pointed, unique collisions folded, history kept, audit
written, scope enforced, all or nothing."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from duijie.core.models import AssessmentUnit, AuditLog, Grant, Organisation, Region
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.dedupe import services
from duijie.dedupe.models import Merge
from duijie.events.models import Event, Invitation
from duijie.orgs.models import (
    Enterprise,
    EnterpriseMetric,
    EnterpriseQualification,
    Institution,
    InstitutionUnit,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def region(code):
    return Region.objects.get(code=code)


def event(title="对接会"):
    return Event.objects.create(title=title, event_type="chain_matching", starts_at=datetime(2026, 5, 1, 9, tzinfo=TZ))


@pytest.fixture
def wujin_admin():
    unit = AssessmentUnit.objects.create(name="武进区", code="t-wj", kind="district", city=region("3204"))
    unit.regions.set([region("320412")])
    org = Organisation.objects.create(kind="government", name="武进区科技局", assessment_unit=unit,
                                      region=region("320412"))
    return f.user(username="wjadmin", role=Role.UNIT_ADMIN, organisation=org)


@pytest.fixture
def pair():
    keep = f.enterprise(name="江苏华宇智能装备有限公司", region=region("320412"), legal_representative="王明",
                        website="https://huayu.example")
    drop = f.enterprise(name="江苏化宇智能装备有限公司", region=region("320412"), legal_representative="王明",
                        address="常州市武进区常武中路1号", contact_phone="13812345678")
    return keep, drop


def test_enterprise_merge_repoints_everything_and_folds_collisions(admin_user, pair):
    keep, drop = pair
    demand = f.demand(drop)
    q_own = EnterpriseQualification.objects.create(enterprise=drop, kind="hnte", valid_from=date(2023, 1, 1))
    q_keep = EnterpriseQualification.objects.create(enterprise=keep, kind="sme", valid_from=date(2022, 1, 1))
    q_both = EnterpriseQualification.objects.create(enterprise=drop, kind="sme", valid_from=date(2022, 1, 1),
                                                    certificate_no="GR2022")
    m_keep = EnterpriseMetric.objects.create(enterprise=keep, year=2025, revenue=Decimal("100"))
    m_drop = EnterpriseMetric.objects.create(enterprise=drop, year=2025, revenue=Decimal("90"), employees=40)
    m_own = EnterpriseMetric.objects.create(enterprise=drop, year=2024, revenue=Decimal("80"))
    both, only_drop = event("百场千企一"), event("百场千企二")
    inv_keep = Invitation.objects.create(event=both, enterprise=keep)
    inv_dup = Invitation.objects.create(event=both, enterprise=drop, status="registered")
    inv_own = Invitation.objects.create(event=only_drop, enterprise=drop)
    staff = f.user(role=Role.ENTERPRISE, organisation=drop.organisation)
    owned = f.achievement(owner_org_id=drop.organisation_id)  # a record the dropped organisation owns
    drop_org_id = drop.organisation_id

    merge = services.enterprise_merge(keep=keep, drop=drop, by=admin_user,
                                      field_choices={"address": "drop", "contact_phone": "drop", "website": "keep"})

    keep.refresh_from_db()
    assert not Enterprise.objects.filter(pk=drop.pk).exists()
    assert not Organisation.objects.filter(pk=drop_org_id).exists()
    demand.refresh_from_db()
    assert demand.enterprise_id == keep.pk
    assert demand.owner_org_id == keep.organisation_id  # scope follows: the kept organisation owns it
    assert set(keep.qualifications.values_list("pk", flat=True)) == {q_own.pk, q_keep.pk}
    q_keep.refresh_from_db()
    assert q_keep.certificate_no == "GR2022"  # the folded duplicate filled a blank
    assert set(keep.metrics.values_list("pk", flat=True)) == {m_keep.pk, m_own.pk}
    m_keep.refresh_from_db()
    assert (m_keep.revenue, m_keep.employees) == (Decimal("100"), 40)  # kept value wins, blank filled
    assert set(Invitation.objects.values_list("pk", flat=True)) == {inv_keep.pk, inv_own.pk}
    assert Invitation.objects.get(pk=inv_own.pk).enterprise_id == keep.pk
    staff.refresh_from_db()
    assert staff.organisation_id == keep.organisation_id
    owned.refresh_from_db()
    assert owned.owner_org_id == keep.organisation_id
    assert (keep.address, keep.contact_phone, keep.website) == ("常州市武进区常武中路1号", "13812345678",
                                                                "https://huayu.example")

    # what moved, exactly — in the merge row and the audit entry (no personal values)
    d = merge.detail
    assert d["moved"]["demands.demand.enterprise"] == [demand.pk]
    assert d["moved"]["orgs.enterprisequalification.enterprise"] == [q_own.pk]
    assert d["moved"]["events.invitation.enterprise"] == [inv_own.pk]
    folded = {(x["relation"], x["dropped_row"], x["kept_row"]) for x in d["folded"]}
    assert folded == {("orgs.enterprisequalification.enterprise", q_both.pk, q_keep.pk),
                      ("orgs.enterprisemetric.enterprise", m_drop.pk, m_keep.pk),
                      ("events.invitation.enterprise", inv_dup.pk, inv_keep.pk)}
    assert d["organisation"]["moved"]["accounts.user.organisation"] == [staff.pk]
    assert d["organisation"]["moved"]["supply.achievement.owner_org"] == [owned.pk]
    assert d["fields_from_dropped"] == ["address", "contact_phone"]
    entry = AuditLog.objects.get(action="update", object_id=str(keep.pk), detail__merge_id=merge.pk)
    assert entry.detail["merge"]["moved"]["demands.demand.enterprise"] == [demand.pk]
    assert "13812345678" not in str(entry.detail)
    assert AuditLog.objects.filter(action="delete", object_id=str(drop.pk), detail__merged_into=keep.pk).exists()

    # both histories kept: the dropped record's ends with the merge; the kept one and moved rows record it
    dropped_history = list(Enterprise.history.filter(id=drop.pk).order_by("history_date"))
    assert [h.history_type for h in dropped_history] == ["+", "-"]
    assert dropped_history[-1].history_change_reason.startswith(f"合并入 #{keep.pk}")
    assert dropped_history[-1].history_user == admin_user
    assert Enterprise.history.filter(id=keep.pk).latest("history_date").history_change_reason.startswith("合并")
    assert demand.history.latest("history_date").enterprise_id == keep.pk
    assert demand.history.earliest("history_date").enterprise_id == drop.pk  # history is not re-pointed


def test_the_kept_record_may_take_the_dropped_credit_code(admin_user, pair):
    keep, drop = pair
    drop_uscc = drop.uscc
    services.record_merge(keep=keep, drop=drop, by=admin_user, field_choices={"uscc": "drop", "name": "drop"})
    keep.refresh_from_db()
    assert (keep.uscc, keep.name) == (drop_uscc, "江苏化宇智能装备有限公司")
    assert keep.organisation.name == keep.name


def test_institution_merge_moves_achievements_experts_and_folds_units(admin_user):
    real = f.institution(name="常州大学")
    prov = f.institution(name="常州大學", is_provisional=True)
    ach = f.achievement(prov)
    unit_real = InstitutionUnit.objects.create(institution=real, name="材料学院")
    unit_prov = InstitutionUnit.objects.create(institution=prov, name="材料学院")
    expert = f.expert(institution=prov, unit=unit_prov)
    grant_user = f.user(role=Role.ENTERPRISE)
    Grant.objects.create(content_type=ContentType.objects.get_for_model(Institution), object_id=prov.pk,
                         user=grant_user)

    merge = services.institution_merge(keep=real, drop=prov, by=admin_user)

    ach.refresh_from_db()
    expert.refresh_from_db()
    assert ach.institution_id == real.pk
    assert (expert.institution_id, expert.unit_id) == (real.pk, unit_real.pk)  # via the folded unit
    assert not InstitutionUnit.objects.filter(pk=unit_prov.pk).exists()
    assert Grant.objects.get(user=grant_user).object_id == real.pk
    assert merge.detail["moved"]["supply.achievement.institution"] == [ach.pk]
    assert merge.detail["moved"]["core.grant.object_id"]
    assert any(x["relation"] == "orgs.institutionunit.institution" for x in merge.detail["folded"])


def test_expert_merge_moves_patents_invitations_and_account(admin_user):
    inst = f.institution()
    keep = f.expert(name="张伟", institution=inst)
    drop_user = f.user(role=Role.EXPERT)
    drop = f.expert(name="张伟", institution=inst, user=drop_user, phone="13900001111")
    patent = f.patent()
    patent.inventor_experts.add(drop)
    inv = Invitation.objects.create(event=event(), expert=drop)

    services.expert_merge(keep=keep, drop=drop, by=admin_user)

    keep.refresh_from_db()
    assert list(patent.inventor_experts.all()) == [keep]
    assert Invitation.objects.get(pk=inv.pk).expert_id == keep.pk
    assert keep.user_id == drop_user.pk  # the login account moved to the surviving profile


def test_merge_refused_without_scope_on_one_side(wujin_admin, pair):
    keep, _drop = pair
    elsewhere = f.enterprise(name="江苏华宇智能装备有限公司（新北）", uscc=f.uscc("320411"), region=region("320411"))
    with pytest.raises(PermissionDenied):
        services.record_merge(keep=keep, drop=elsewhere, by=wujin_admin)
    assert Enterprise.objects.filter(pk=elsewhere.pk).exists()
    assert AuditLog.objects.filter(action="denied", object_id=str(keep.pk), result="failure").exists()
    # within their district the same administrator may merge
    services.record_merge(keep=keep, drop=_drop, by=wujin_admin)


def test_an_enterprise_user_may_not_merge_even_their_own(pair):
    keep, drop = pair
    user = f.user(role=Role.ENTERPRISE, organisation=keep.organisation)
    with pytest.raises(PermissionDenied):
        services.record_merge(keep=keep, drop=drop, by=user)


def test_failure_mid_merge_leaves_everything_as_before(admin_user, pair):
    keep, drop = pair
    demand = f.demand(drop)
    metric = EnterpriseMetric.objects.create(enterprise=drop, year=2025)
    inv = Invitation.objects.create(event=event(), enterprise=drop)
    staff = f.user(role=Role.ENTERPRISE, organisation=drop.organisation)
    # The kept record holds a value its own validation refuses (written around the services): the merge
    # re-points everything, then fails when it validates the surviving record.
    Enterprise.objects.filter(pk=keep.pk).update(registered_capital=Decimal("-1"))
    before = (Enterprise.objects.count(), Organisation.objects.count(), Enterprise.history.count(),
              AuditLog.objects.count(), Merge.objects.count())

    with pytest.raises(ValidationError):
        services.record_merge(keep=keep, drop=drop, by=admin_user)

    assert (Enterprise.objects.count(), Organisation.objects.count(), Enterprise.history.count(),
            AuditLog.objects.count(), Merge.objects.count()) == before
    demand.refresh_from_db()
    metric.refresh_from_db()
    staff.refresh_from_db()
    assert demand.enterprise_id == metric.enterprise_id == Invitation.objects.get(pk=inv.pk).enterprise_id == drop.pk
    assert staff.organisation_id == drop.organisation_id


def test_bad_field_choices_are_refused(admin_user, pair):
    keep, drop = pair
    with pytest.raises(ValidationError) as exc:
        services.record_merge(keep=keep, drop=drop, by=admin_user, field_choices={"organisation": "drop"})
    assert "organisation" in str(exc.value)
    with pytest.raises(ValidationError):
        services.record_merge(keep=keep, drop=keep, by=admin_user)
    assert Enterprise.objects.filter(pk=drop.pk).exists()


def test_generic_discovery_covers_later_apps_and_skips_history():
    labels = {f"{r.related_model._meta.label}.{r.field.name}" for r in services.reverse_relations(Enterprise)}
    assert {"demands.Demand.enterprise", "orgs.EnterpriseQualification.enterprise", "orgs.EnterpriseMetric.enterprise",
            "events.Invitation.enterprise", "events.MeetingSlot.enterprise", "events.Intention.enterprise"} <= labels
    assert not any("Historical" in label for label in labels)
    org_labels = {f"{r.related_model._meta.label}.{r.field.name}" for r in services.reverse_relations(Organisation)}
    assert {"demands.Demand.owner_org", "accounts.User.organisation", "supply.Patent.applicant_orgs"} <= org_labels
