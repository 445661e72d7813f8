"""Reads of import jobs. A job holds an uploaded file's row values (its preview and error report),
so it is shown like a record restricted to its owner: to the user who uploaded it and to the
government roles whose scope covers the uploader's organisation (``core.scope.organisation_q``:
a city administrator the users of organisations in the city, a unit administrator those of the
unit, a park manager those of the park). Views never filter jobs themselves."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from duijie.core import scope
from duijie.core.models import Organisation
from duijie.imports.models import ImportJob


def import_job_list(*, user) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("user")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    covered = scope.organisation_q(user)
    if covered == Q():
        return qs  # a city administrator with no city: the whole platform

    mine = Q(user=user.pk)
    if covered == scope.NOTHING:
        return qs.filter(mine)
    return qs.filter(mine | Q(user__organisation__in=Organisation.objects.filter(covered).values("pk")))


def import_job_get(*, user, pk) -> ImportJob:
    """One job the user may see; ``ImportJob.DoesNotExist`` otherwise (no hint that it exists)."""
    return import_job_list(user=user).get(pk=pk)
