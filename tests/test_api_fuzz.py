"""Schemathesis over every operation of the OpenAPI schema, in-process (WSGI), as a city
administrator over HTTP Basic auth: no input may make the server answer 5xx."""

import base64

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


def test_no_server_errors(seeded):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode

    from config.wsgi import application

    auth = {"Authorization": "Basic " + base64.b64encode(b"cityadmin:pw-Admin-12345").decode()}
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

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
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
