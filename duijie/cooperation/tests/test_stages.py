"""Project stages: 意向 → 签约 → 实施 → 验收/完成, or 终止 with a reason; refusals in Chinese."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from duijie.cooperation import services
from duijie.cooperation.models import CooperationProject
from duijie.cooperation.tests import helpers as h
from duijie.core.models import AuditLog
from duijie.core.roles import Role

pytestmark = pytest.mark.django_db


def ui(client, p, name, **data):
    response = client.post(f"/r/projects/{p.pk}/do/{name}/", data)
    # Only the message of this request (earlier ones may still be waiting in the session).
    return response, [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)][-1:]


def stage(p):
    return CooperationProject.objects.get(pk=p.pk).status


def test_full_path_stamps_stage_dates_and_audits(admin_client):
    p = h.project()
    for name, expected in (("sign", "signed"), ("implement", "implementing"), ("complete", "completed")):
        response, msgs = ui(admin_client, p, name)
        assert response.status_code == 302 and msgs[0][0] == "success", msgs
        assert stage(p) == expected
    p.refresh_from_db()
    assert p.signed_on and p.implementation_on and p.completed_on
    assert AuditLog.objects.filter(action="transition", object_type="cooperation.cooperationproject",
                                   object_id=str(p.pk)).count() == 3
    page = admin_client.get(f"/r/projects/{p.pk}/").content.decode()
    assert "阶段记录" in page and "验收/完成" in page


def test_no_implementation_before_signing(admin_client, admin_user):
    p = h.project()
    with pytest.raises(ValidationError) as exc:
        services.project_move(project=p, name="implement", by=admin_user)
    assert "尚未签约" in " ".join(exc.value.messages)
    _, msgs = ui(admin_client, p, "implement")
    assert msgs[0][0] == "error" and "尚未签约" in msgs[0][1]
    assert stage(p) == "intention"
    with pytest.raises(ValidationError) as exc:
        services.project_move(project=p, name="complete", by=admin_user)
    assert "尚未实施" in " ".join(exc.value.messages)


def test_termination_needs_a_reason(admin_client):
    p = h.project(status="signed")
    _, msgs = ui(admin_client, p, "terminate", reason="  ")
    assert msgs[0][0] == "error" and "终止项目须说明原因" in msgs[0][1]
    assert stage(p) == "signed"
    _, msgs = ui(admin_client, p, "terminate", reason="企业经营困难，暂停合作")
    assert msgs[0][0] == "success"
    p.refresh_from_db()
    assert p.status == "terminated" and p.terminated_on and p.stage_reason == "企业经营困难，暂停合作"
    # A terminated project cannot be completed; resuming needs a reason too.
    _, msgs = ui(admin_client, p, "complete")
    assert msgs[0][0] == "error" and stage(p) == "terminated"
    _, msgs = ui(admin_client, p, "resume")
    assert msgs[0][0] == "error" and stage(p) == "terminated"


def test_going_back_needs_a_reason_and_clears_later_dates(admin_user):
    p = h.project()
    services.project_move(project=p, name="sign", by=admin_user)
    services.project_move(project=p, name="implement", by=admin_user)
    with pytest.raises(ValidationError) as exc:
        services.project_move(project=p, name="back-to-signed", by=admin_user)
    assert "退回上一阶段须说明原因" in " ".join(exc.value.messages)
    p = services.project_move(project=p, name="back-to-signed", by=admin_user, reason="实施方案需重新论证")
    assert p.status == "signed" and p.implementation_on is None and p.signed_on is not None
    assert p.stage_reason == "实施方案需重新论证"
    log = services.stage_log(p)
    assert [row["to"] for row in log][-1].startswith("签约") and log[-1]["reason"] == "实施方案需重新论证"


def test_other_organisation_cannot_move_a_project(client, admin_user):
    from duijie.core.tests import factories as f

    p = h.project(owner_org=f.organisation(kind="enterprise"))
    outsider = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    client.force_login(outsider)
    assert client.post(f"/r/projects/{p.pk}/do/sign/").status_code == 404
    assert stage(p) == "intention"


def test_party_enterprise_sees_and_moves_its_project(client):
    from duijie.core.tests import factories as f

    ent = f.enterprise()
    p = h.project(owner_org=f.organisation())
    p.enterprises.set([ent])
    user = f.user(role=Role.ENTERPRISE, organisation=ent.organisation)
    client.force_login(user)
    assert client.get(f"/r/projects/{p.pk}/").status_code == 200
    client.post(f"/r/projects/{p.pk}/do/sign/")
    assert stage(p) == "signed"


def test_source_links_must_match_the_source(admin_client):
    ev = h.event()
    other = h.event()
    data = {"title": "项目A", "source": "demand", "source_event": ev.pk, "visibility": "restricted"}
    response = admin_client.post("/r/projects/add/", data)
    body = response.content.decode()
    assert response.status_code == 200 and "须指明该需求" in body and "与来源“企业需求”不符" in body
    it = h.intention(ev)
    response = admin_client.post("/r/projects/add/", {**data, "source": "event", "source_event": other.pk,
                                                      "source_intention": it.pk})
    assert "该意向是在另一场活动" in response.content.decode()
    response = admin_client.post("/r/projects/add/", {**data, "source": "event", "source_event": "",
                                                      "source_intention": it.pk})
    assert response.status_code == 302
    assert CooperationProject.objects.get(title="项目A").counted_event_id == ev.pk
    assert CooperationProject.objects.count() == 1
