"""Schemes as versioned, dated rule data: parameters validated per kind (a negative cap is refused by
name and nothing is written), published versions immutable, the version in force chosen by date."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from duijie.awards import candidates, services
from duijie.awards.choices import RuleStatus
from duijie.awards.models import RuleVersion
from duijie.awards.tests import helpers as h
from duijie.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_a_rule_with_a_negative_cap_is_refused_by_name_and_nothing_is_written():
    w = h.world()
    s = h.scheme(w, kind="per_org_capped", parameters={"amount_per_item": "20000", "cap": "100000"})
    before = (RuleVersion.objects.count(), RuleVersion.history.count(), AuditLog.objects.count())
    with translation.override("en"), pytest.raises(ValidationError) as e:
        services.rule_version_create(scheme=s, kind="per_org_capped",
                                     parameters={"amount_per_item": "20000", "cap": "-100000"},
                                     valid_from=date(2026, 1, 1), source_clause="x", by=w["city"])
    assert any("cap" in m and "negative" in m for m in e.value.message_dict["parameters"])
    assert (RuleVersion.objects.count(), RuleVersion.history.count(), AuditLog.objects.count()) == before


def test_the_api_refuses_a_negative_cap_too(client):
    from rest_framework.test import APIClient

    w = h.world()
    s = h.scheme(w, kind="share", parameters={"rate": "0.02"}, source="registered_contracts")
    api = APIClient()
    api.force_authenticate(w["city"])
    r = api.post("/api/award-rule-versions/", {"scheme": s.pk, "number": 9, "kind": "share",
                                               "parameters": {"rate": "0.02", "cap_per_payee": "-1"},
                                               "valid_from": "2026-01-01", "source_clause": "x"}, format="json")
    assert r.status_code == 400 and "cap_per_payee" in str(r.json()["parameters"])
    assert not RuleVersion.objects.filter(scheme=s, number=9).exists()


def test_published_versions_are_immutable_and_a_change_is_a_new_version():
    w = h.world()
    s = h.scheme(w, kind="per_person", parameters={"amount": "5000", "max_count": 100})
    v1 = s.rule_versions.get()
    assert v1.status == RuleStatus.PUBLISHED and v1.published_at is not None
    v1.parameters = {"amount": "6000.00", "max_count": 100}
    with pytest.raises(ValidationError):
        v1.save()
    assert RuleVersion.objects.get(pk=v1.pk).parameters == {"amount": "5000.00", "max_count": 100}
    with pytest.raises(ValidationError):
        RuleVersion.objects.get(pk=v1.pk).delete()
    v2 = services.rule_version_create(scheme=s, kind="per_person", parameters={"amount": "6000", "max_count": 100},
                                      valid_from=date(2026, 1, 1), source_clause="2026年调整", by=w["city"])
    assert v2.number == 2 and v2.status == RuleStatus.DRAFT
    services.rule_version_publish(version=v2, by=w["city"])
    v1.refresh_from_db()
    versions = list(s.rule_versions.all())
    # Dated: 2025 lines take version 1, 2026 lines version 2 (the later valid one wins).
    assert candidates.version_for(versions, date(2025, 6, 1)).number == 1
    assert candidates.version_for(versions, date(2026, 6, 1)).number == 2
    assert candidates.version_for(versions, date(2015, 6, 1)) is None
    assert v1.history.count() >= 2  # created, published: audited like the other models


def test_only_city_administrators_run_schemes():
    w = h.world()
    s = h.scheme(w, kind="per_person", parameters={"amount": "5000", "max_count": 100})
    with pytest.raises(Exception) as e:
        services.rule_version_create(scheme=s, kind="per_person", parameters={"amount": "1", "max_count": 1},
                                     valid_from=date(2026, 1, 1), source_clause="x", by=w["wujin_admin"])
    assert e.type.__name__ == "PermissionDenied"


def test_a_round_runs_for_the_year_of_its_schemes_budget():
    from duijie.awards.models import Round

    w = h.world()
    s = h.scheme(w, kind="per_person", parameters={"amount": "5000", "max_count": 100})
    with pytest.raises(ValidationError) as e:
        Round(scheme=s, year=s.year - 1).full_clean()
    assert "year" in e.value.message_dict
    Round(scheme=s, year=s.year).full_clean()
