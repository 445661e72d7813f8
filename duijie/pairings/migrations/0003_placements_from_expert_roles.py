"""科技副总 / 产业教授 / 双岗互聘 were stored twice: as ``experts.ExpertRole`` (kind tech_vp,
industry_professor, dual_post) and as ``pairings.Placement``. Placement — with scheme, term, home and
host — is now the only record; this moves every such role into a placement (unless the same
placement is already filed) and deletes the role, leaving a history row on both sides.

Mapping: tech_vp → 江苏省“双创人才”科技副总 (tech_vp_provincial); dual_post → 双岗互聘·科技副总
(tech_vp_city), both hosted by the enterprise behind the role's host organisation; industry_professor
→ 产业教授, from the enterprise behind the host organisation, hosted by the expert's institution (or
the institution behind the host). A role without a start takes the day it was filed. A host that is
no enterprise leaves the host empty, noted in the duties for the office to complete.
Reverse: nothing (the roles' kinds are no longer offered; the placements stay).
"""

from django.db import migrations
from django.utils import timezone

SCHEME = {"tech_vp": "tech_vp_provincial", "dual_post": "tech_vp_city", "industry_professor": "industry_professor"}
NOTE = "（由专家角色迁移：接收单位不是企业，请补全）"


def forward(apps, schema_editor):
    ExpertRole = apps.get_model("experts", "ExpertRole")
    Enterprise = apps.get_model("orgs", "Enterprise")
    Institution = apps.get_model("orgs", "Institution")
    Placement = apps.get_model("pairings", "Placement")
    HistoricalPlacement = apps.get_model("pairings", "HistoricalPlacement")
    HistoricalExpertRole = apps.get_model("experts", "HistoricalExpertRole")
    now = timezone.now()
    roles = ExpertRole.objects.filter(kind__in=list(SCHEME)).select_related("expert").order_by("pk")
    for role in roles:
        expert, scheme = role.expert, SCHEME[role.kind]
        ent = Enterprise.objects.filter(organisation_id=role.host_id).first() if role.host_id else None
        inst = Institution.objects.filter(organisation_id=role.host_id).first() if role.host_id else None
        start = role.start or timezone.localdate(role.created_at)
        fields = {"scheme": scheme, "year": start.year, "person_name": expert.name, "expert": expert,
                  "start_on": start, "end_on": role.end, "visibility": "restricted",
                  "filed_by_id": expert.filed_by_id, "filed_by_org_id": expert.filed_by_org_id}
        if scheme == "industry_professor":
            fields |= {"home_enterprise": ent, "host_institution": inst or expert.institution}
            same = {"host_institution": fields["host_institution"], "home_enterprise": ent}
        else:
            fields |= {"host_enterprise": ent, "home_institution": expert.institution}
            same = {"host_enterprise": ent}
            if ent is None:
                fields["duties"] = NOTE
        party = ent or expert
        fields |= {"region_id": party.region_id, "park_id": party.park_id}
        exists = Placement.objects.filter(expert=expert, scheme=scheme, start_on=start, **same).exists()
        if not exists:
            placement = Placement.objects.create(**fields)
            placement.assessment_units.set(party.assessment_units.all())
            snapshot = {f.attname: getattr(placement, f.attname) for f in Placement._meta.concrete_fields}
            HistoricalPlacement.objects.create(**snapshot, history_date=now, history_type="+",
                                               history_change_reason=f"由专家角色 #{role.pk} 迁移")
        snapshot = {f.attname: getattr(role, f.attname) for f in ExpertRole._meta.concrete_fields}
        HistoricalExpertRole.objects.create(**snapshot, history_date=now, history_type="-",
                                            history_change_reason="迁移为派驻记录（pairings.Placement）")
        role.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("pairings", "0002_record_version"),
        ("experts", "0004_record_version"),
        ("orgs", "0004_record_version"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
