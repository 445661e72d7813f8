"""Record versions over HTTP: ETag / If-Match on the API, and "the database is busy" as 503.

A record's ETag is ``"<pk>-<version>"``: a *strong* validator. It names the record's stored state,
which changes exactly when its version does (every save through the services moves it), and
If-Match — the header that guards writes against lost updates — compares strongly (RFC 9110
§13.1.1): a weak tag never matches there, so a weak ETag would make every conditional write fail.
The JSON bytes do differ between users (masking follows the reader's role), but never for one
reader and one version; responses are ``Cache-Control: no-store`` and vary with the credentials, so no
shared cache serves one user's bytes to another under this tag.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.conf import settings as dj_settings
from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from duijie.core.services import StaleRecord, is_versioned

_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def etag(obj) -> str | None:
    if obj is None or obj.pk is None or not is_versioned(type(obj)):
        return None
    return f'"{obj.pk}-{obj.version}"'


class Precondition(exceptions.APIException):
    """A refused conditional write; ``payload`` is the JSON body as it is (numbers stay numbers)."""

    def __init__(self, payload: dict):
        super().__init__(payload["detail"])
        self.payload = payload


class PreconditionFailed(Precondition):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionRequired(Precondition):
    status_code = 428
    default_code = "precondition_required"


def response_for(exc, request) -> Response:
    """The API's answer to a refused conditional write (core.api.exception_handler)."""
    if isinstance(exc, StaleRecord):
        return stale_response(exc, request)
    response = Response(exc.payload, status=exc.status_code)
    if exc.payload.get("etag"):
        response["ETag"] = exc.payload["etag"]
    return response


def _tags(header: str) -> list[str] | None:
    """The strong tags an If-Match header lists; None if the header is not a list of quoted tags
    (``*`` included: it names no version). Weak tags (``W/"…"``) are left out: they never match."""
    pos, tags = 0, []
    header = header.strip()
    while pos < len(header):
        m = _TAG.match(header, pos)
        if m is None or m.end() == pos:
            return None
        if not m.group(1):
            tags.append(m.group(2))
        pos = m.end()
    return tags


def expected_version(request, obj) -> int | None:
    """The version an API write of ``obj`` may change, from its If-Match header.

    Mismatch (another version, another record, a weak or malformed tag, ``*``) → 412 naming the
    current version; no header → 428 while ``DUIJIE_API_REQUIRE_IF_MATCH`` (the default), else None
    (the caller then writes against the version it read itself, 409 if that moved meanwhile)."""
    if not is_versioned(type(obj)):
        return None
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        if settings.DUIJIE_API_REQUIRE_IF_MATCH:
            raise PreconditionRequired({
                "detail": _("Send If-Match with the ETag of the record you read (GET it first); "
                            "writes without it are refused so that nobody overwrites a change unseen."),
                "current_version": obj.version, "etag": etag(obj)})
        return None
    current = etag(obj).strip('"')
    tags = _tags(header)
    if tags and current in tags:
        return obj.version
    raise PreconditionFailed({
        "detail": _("If-Match does not name the stored version of this record (version %(version)s, "
                    "ETag %(etag)s): it was changed meanwhile, or the tag is not one this server gave. "
                    "Nothing was written; GET the record again.") % {"version": obj.version, "etag": etag(obj)},
        "current_version": obj.version, "etag": etag(obj)})


def stale_response(exc: StaleRecord, request) -> Response:
    """412 when the client named a version (If-Match) and it went stale during the request; 409 when it
    named none and the version the request read moved meanwhile. Nothing was written either way."""
    conditional = request is not None and bool(request.headers.get("If-Match", "").strip())
    body = {"detail": exc.messages[0], "current_version": exc.current,
            "etag": f'"{exc.pk}-{exc.current}"' if exc.current is not None else None}
    response = Response(body, status=status.HTTP_412_PRECONDITION_FAILED if conditional else status.HTTP_409_CONFLICT)
    if exc.current is not None:
        response["ETag"] = body["etag"]
    return response


# ---------------------------------------------------------------- the database is busy

def is_database_busy(exc: BaseException | None) -> bool:
    """SQLite's "database is locked" (or "… table is locked"): another write held the lock for
    longer than the busy timeout. The request did nothing; it may simply be sent again."""
    return isinstance(exc, OperationalError) and "is locked" in str(exc)


def busy_response(request):
    """503 + Retry-After: JSON for the API, a page for people."""
    retry = str(settings.DUIJIE_RETRY_AFTER_SECONDS)
    message = _("The database is busy with another change; nothing was saved. Please try again in a moment.")
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message, "retry_after": int(retry)}, status=503,
                                json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "503.html", {"message": message, "retry_after": retry}, status=503)
    response["Retry-After"] = retry
    return response


# ---------------------------------------------------------------- OpenAPI

def schema_for_writes(record_type, tag: str) -> dict:
    """drf-spectacular declarations of the ETag / If-Match contract of one record type's endpoints."""
    required = dj_settings.DUIJIE_API_REQUIRE_IF_MATCH
    if_match = OpenApiParameter(
        "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=required,
        description='The ETag of the record as last read (GET sends it: `"<id>-<version>"`). A write is '
                    "accepted only while the record is still that version."
                    + (" Required (428 without it)." if required else ""))
    refused = {
        409: OpenApiResponse(description="Sent without If-Match, and the record changed while the request ran; "
                                         "nothing written."),
        412: OpenApiResponse(description="If-Match does not name the stored version (body: `current_version`, "
                                         "`etag`); nothing written."),
        428: OpenApiResponse(description="If-Match is missing; nothing written."),
    }
    etag_note = 'The response carries `ETag: "<id>-<version>"`; send it back as If-Match to change the record.'
    serializer = record_type.serializer
    return {
        "retrieve": extend_schema(tags=[tag], description=etag_note),
        "update": extend_schema(tags=[tag], parameters=[if_match], responses={200: serializer, **refused}),
        "partial_update": extend_schema(tags=[tag], parameters=[if_match], responses={200: serializer, **refused}),
        "destroy": extend_schema(tags=[tag], parameters=[if_match], responses={204: None, **refused}),
    }
