"""Filters by record id take the id column's range: an out-of-range value is refused with the field
named (the API fuzzing found a 500 from an integer overflow in the database driver)."""

import pytest

from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "1.5"])
def test_an_id_filter_out_of_range_is_a_clear_400(value):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(f.user(role=Role.CITY_ADMIN))
    response = api.get("/api/qualifications/", {"enterprise": value})
    assert response.status_code == 400 and "enterprise" in response.json()


def test_an_id_filter_in_range_still_filters():
    from rest_framework.test import APIClient

    from duijie.orgs.models import EnterpriseQualification

    ent, other = f.enterprise(), f.enterprise()
    for e in (ent, other):
        EnterpriseQualification.objects.create(enterprise=e, kind="high_tech", valid_from="2025-01-01")
    api = APIClient()
    api.force_authenticate(f.user(role=Role.CITY_ADMIN))
    response = api.get("/api/qualifications/", {"enterprise": ent.pk})
    assert response.status_code == 200 and [r["enterprise"] for r in response.json()["results"]] == [ent.pk]
