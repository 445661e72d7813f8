"""The contract of the delivery: when the awarded teams sign, the challenge's project moves to signed and
a technology contract per funded team is created through the cooperation services, linked to the
project (and so to the challenge); refused before the award, twice, for a 政府榜, or by others."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from duijie.challenges import services
from duijie.challenges.choices import ChallengeMode
from duijie.challenges.tests import world as w_
from duijie.cooperation.models import TechContract
from duijie.core.models import AuditLog
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def test_signing_creates_one_contract_per_funded_team(client):
    w = w_.build(mode=ChallengeMode.HORSE_RACE, teams=3, budget=Decimal("900000"))
    bids = [w_.bid(w, i, budget=Decimal("300000")) for i in range(3)]
    w_.close(w)
    with pytest.raises(ValidationError):  # not awarded yet
        services.contracts_sign(challenge=w["challenge"], by=w["ent_user"], contract_type="dev_commissioned")
    ch = w_.award(w, bids[:2])
    stranger = f.user(role="enterprise", organisation=f.enterprise(name="他家企业").organisation)
    with pytest.raises(PermissionDenied):
        services.contracts_sign(challenge=ch, by=stranger, contract_type="dev_commissioned")
    assert not TechContract.objects.exists()
    client.force_login(w["ent_user"])
    assert 'id="contract"' in client.get(f"/r/challenges/{ch.pk}/").content.decode()
    client.post(f"/challenges/{ch.pk}/contract/", {"contract_type": "dev_commissioned"})
    ch.refresh_from_db()
    assert ch.project.status == "signed"
    contracts = list(TechContract.objects.order_by("pk"))
    assert [c.institution_id for c in contracts] == [b.institution_id for b in bids[:2]]
    assert all(c.project_id == ch.project_id and c.enterprise == w["ent"] and c.amount == Decimal("300000")
               and c.signed_on == ch.project.signed_on and c.contract_type == "dev_commissioned" for c in contracts)
    assert list(ch.project.contracts.all()) == contracts  # the challenge reaches them through its project
    assert AuditLog.objects.filter(object_type="cooperation.techcontract").count() == 2
    # twice: refused, nothing more written
    with pytest.raises(ValidationError):
        services.contracts_sign(challenge=ch, by=w["ent_user"], contract_type="dev_commissioned")
    assert TechContract.objects.count() == 2
    assert 'id="contract"' not in client.get(f"/r/challenges/{ch.pk}/").content.decode()


def test_the_printable_panel_report(client):
    """The A4 page (and its PDF) of the panel report: panel, ranking, scorecards, 公示; for the poster
    and the office once bidding has closed, never for a bidder."""
    from duijie.challenges.models import PanelMember

    w = w_.build(mode=ChallengeMode.OPEN, teams=1, budget=Decimal("500000"))
    bids = [w_.bid(w, i, budget=Decimal("400000")) for i in range(2)]
    client.force_login(w["ent_user"])
    assert client.get(f"/challenges/{w['challenge'].pk}/report/").status_code == 403  # still open
    ch = w_.close(w)
    reviewer, ru = w_.expert_user(f.institution(name="评审院"), name="评审丙")
    PanelMember.objects.create(challenge=ch, expert=reviewer, added_by=w["gov"])
    for b, v in ((bids[0], 9), (bids[1], 5)):
        services.scorecard_submit(challenge=ch, bid=b, by=ru, values={c.pk: v for c in ch.criteria.all()},
                                  comment=f"评语{v}")
    services.publicity_open(challenge=ch, winners=bids[:1], by=w["gov"])
    html = client.get(f"/challenges/{ch.pk}/report/").content.decode()
    assert "评审丙" in html and "评语9" in html and str(bids[0]) in html and "report-print.css" in html
    assert html.index(str(bids[0])) < html.index(str(bids[1]))  # ranked
    assert 'id="publicity"' not in html and "40万元" in html
    _x, bidder = w["leads"][1]
    client.force_login(bidder)
    assert client.get(f"/challenges/{ch.pk}/report/").status_code == 403
    client.force_login(w["gov"])
    pdf = client.get(f"/challenges/{ch.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
