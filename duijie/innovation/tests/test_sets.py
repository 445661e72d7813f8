"""Indicator sets are data with rules: weights that do not add up to their group total, negative
weights and bad scoring parameters are refused with the field and the reason, and nothing is
written; a published set never changes, a new version is a copy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duijie.innovation import services
from duijie.innovation.models import Indicator
from duijie.innovation.tests import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = h.world()
    w["draft"] = h.small_set(w, publish=False)
    return w


def _stored(s):
    return (dict(type(s).objects.get(pk=s.pk).group_totals),
            {i.code: dict(i.weights) for i in Indicator.objects.filter(indicator_set=s)})


def _weights(s, **changes):
    out = {i.code: dict(i.weights) for i in s.indicators.all()}
    for key, value in changes.items():
        code, stage = key.split("__")
        out[code][stage] = value
    return out


def test_weights_not_summing_to_the_group_total_are_refused_nothing_written(w):
    s = w["draft"]
    before = _stored(s)
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_update_weights(indicator_set=s, group_totals=h.TOTALS,
                                              weights=_weights(s, T1__growth="20"), by=w["city"])
    errors = exc.value.message_dict
    assert list(errors) == ["total-tech-growth"]
    assert "45" in errors["total-tech-growth"][0] and "50" in errors["total-tech-growth"][0]
    assert _stored(s) == before


def test_a_negative_weight_is_refused_with_its_field(w):
    s = w["draft"]
    before = _stored(s)
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_update_weights(indicator_set=s, group_totals=h.TOTALS,
                                              weights=_weights(s, T1__startup="-5", T2__startup="65"), by=w["city"])
    assert "w-T1-startup" in exc.value.message_dict
    assert "-5" in exc.value.message_dict["w-T1-startup"][0]
    assert _stored(s) == before


def test_a_bonus_above_its_cap_and_a_negative_total_are_refused(w):
    s = w["draft"]
    totals = {st: dict(t) for st, t in h.TOTALS.items()}
    totals["stable"]["negative"] = "-1"
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_update_weights(indicator_set=s, group_totals=totals,
                                              weights=_weights(s, B1__startup="11"), by=w["city"])
    assert {"w-B1-startup", "total-negative-stable"} <= set(exc.value.message_dict)


def test_a_good_change_is_written_and_publishing_checks_the_parameters(w):
    s = w["draft"]
    services.indicator_set_update_weights(indicator_set=s, group_totals=h.TOTALS,
                                          weights=_weights(s, T1__growth="30", T2__growth="20"), by=w["city"])
    assert Indicator.objects.get(indicator_set=s, code="T1").weights["growth"] == "30"
    Indicator.objects.filter(indicator_set=s, code="G1").update(params={"steps": [["10", "0.5"], ["5", "0.8"]]})
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_publish(indicator_set=s, by=w["city"])
    assert "params-G1" in exc.value.message_dict
    s.refresh_from_db()
    assert s.status == "draft"


def test_weights_form_shows_field_errors_and_writes_nothing(w, client):
    s = w["draft"]
    before = _stored(s)
    client.force_login(w["city"])
    url = reverse("innovation:weights", args=[s.pk])
    data = {}
    for st in ("startup", "growth", "stable"):
        for g, v in h.TOTALS[st].items():
            data[f"total-{g}-{st}"] = v
    for i in s.indicators.all():
        for st in ("startup", "growth", "stable"):
            data[f"w-{i.code}-{st}"] = i.weights[st]
    data["w-T2-stable"] = "-3"
    data["w-A1-growth"] = "abc"
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "w-A1-growth" in page and "abc" in page
    data["w-A1-growth"] = "20"
    response = client.post(url, data)
    assert response.status_code == 400 and "w-T2-stable" in response.content.decode()
    assert _stored(s) == before
    data["w-T2-stable"] = "20"
    assert client.post(url, data).status_code == 302


def test_a_published_set_is_immutable_and_a_new_version_is_a_copy(w):
    s = services.indicator_set_publish(indicator_set=w["draft"], by=w["city"])
    with pytest.raises(ValidationError):
        services.indicator_set_update_weights(indicator_set=s, group_totals=h.TOTALS, weights={}, by=w["city"])
    ind = s.indicators.first()
    ind.weights = {"startup": "1", "growth": "1", "stable": "1"}
    with pytest.raises(ValidationError):
        ind.save()
    v2 = services.indicator_set_copy(source=s, by=w["city"])
    assert (v2.code, v2.number, v2.status, v2.derived_from_id) == (s.code, 2, "draft", s.pk)
    assert [(i.code, i.weights) for i in v2.indicators.order_by("position")] == \
           [(i.code, i.weights) for i in s.indicators.order_by("position")]


def test_only_the_city_administrator_changes_sets(w):
    with pytest.raises(Exception) as exc:
        services.indicator_set_update_weights(indicator_set=w["draft"], group_totals=h.TOTALS, weights={},
                                              by=w["wujin_admin"])
    assert exc.type.__name__ == "PermissionDenied"
