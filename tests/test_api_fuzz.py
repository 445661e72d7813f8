"""Schemathesis over every operation of the OpenAPI schema, in-process (WSGI), as a city
administrator with a personal API token: no input may make the server answer 5xx."""

import pytest

# serialized_rollback: the reference data (regions …) loaded by migrations is restored at the start, even
# when another transactional test (browser tests) flushed the database before this one.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MAX_EXAMPLES = 15


@pytest.fixture
def seeded(admin_user):
    """A few records of each kind, so generated ids sometimes hit real rows."""
    from duijie.core.tests import factories as f
    from duijie.core.tests.test_query_counts import WRITABLE, build

    for slug in WRITABLE:
        build(slug)
    f.demand(status="submitted")
    f.achievement(status="published")


def _token(username: str) -> dict:
    """A personal API token (HTTP Basic is off by default and never serves back-office accounts)."""
    from duijie.accounts.models import ApiToken, User

    _token, key = ApiToken.issue(User.objects.get(username=username), "fuzz")
    return {"Authorization": f"Token {key}"}


def test_no_server_errors(seeded):
    _fuzz(_token("cityadmin"), MAX_EXAMPLES)


ROLES = ["unit_admin", "park_manager", "enterprise", "institution", "expert", "broker", "audit_admin"]


def test_no_server_errors_as_each_role(seeded):
    """The same fuzz as every other role (fewer examples each): scope and permission paths (403/404
    on foreign records, refused creates) must never turn into server errors either."""
    from duijie.core.models import AssessmentUnit, Organisation, Park, Region
    from duijie.core.tests import factories as f

    unit = AssessmentUnit.objects.create(name="武进区", code="fz-wj", kind="district", city=Region.objects.get(code="3204"))
    unit.regions.set([Region.objects.get(code="320412")])
    park = Park.objects.create(name="模糊测试园区", region=Region.objects.get(code="320412"))
    orgs = {
        "unit_admin": Organisation.objects.create(kind="government", name="区科技局", assessment_unit=unit),
        "park_manager": Organisation.objects.create(kind="government", name="园区管委会", park=park),
        "enterprise": f.enterprise().organisation,
        "institution": f.institution().organisation,
        "expert": f.institution().organisation,
        "broker": f.organisation("经纪机构", kind="other"),
        "audit_admin": f.organisation(),
    }
    from django.test import Client

    for role in ROLES:
        f.user(username=f"fz-{role}", role=role, organisation=orgs[role], password="pw-Fuzz-12345")
        auth = _token(f"fz-{role}")
        # the credentials work (so the fuzz reaches the scoped code paths, not only 401s)
        assert Client().get("/api/regions/", HTTP_AUTHORIZATION=auth["Authorization"]).status_code == 200
        _fuzz(auth, 4)


def _fuzz(auth: dict, max_examples: int) -> None:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode

    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = operation.as_strategy(GenerationMode.POSITIVE)
        try:
            strategy = strategy | operation.as_strategy(GenerationMode.NEGATIVE)
        except Exception:  # noqa: S110 - some operations have nothing to negate
            pass

        @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])
        @given(case=strategy)
        def check(case):
            case.call_and_validate(headers=auth, checks=[not_a_server_error])

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a FailureGroup
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert operations > 80
    assert not failures, "\n\n".join(failures)
