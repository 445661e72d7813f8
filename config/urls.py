from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from duijie.core import exports as core_exports
from duijie.core.api import viewset_for
from duijie.core.registry import REGISTRY
from duijie.workplace import views as workplace_views

router = DefaultRouter()
for slug, record_type in sorted(REGISTRY.items()):
    router.register(slug, viewset_for(record_type), basename=slug)


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("", workplace_views.home, name="home"),
    path("workplace/", include("duijie.workplace.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("duijie.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # Redoc builds its styles at run time and parses the schema in a blob: worker; that page alone
    # gets those two relaxations (its inline script carries the nonce: templates/api/redoc.html).
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
        SpectacularRedocView.as_view(url_name="openapi", template_name="api/redoc.html")), name="api-docs"),
    path("api/match/", include("duijie.matching.api_urls")),
    path("api/", include("duijie.events.api_urls")),
    path("api/", include("duijie.programmes.api_urls")),
    path("api/", include("duijie.challenges.api_urls")),
    path("api/", include("duijie.awards.api_urls")),
    path("api/", include(router.urls)),
    path("match/", include("duijie.matching.urls")),
    path("r/<slug:slug>/export-request/", core_exports.request_export, name="export_request"),
    path("exports/requests/", core_exports.request_list, name="export_requests"),
    path("exports/requests/<int:pk>/download/", core_exports.request_download, name="export_download"),
    path("exports/requests/<int:pk>/<str:decision>/", core_exports.request_review, name="export_review"),
    path("r/events/", include("duijie.events.urls_registry")),
    path("r/", include("duijie.core.urls")),
    path("events/", include("duijie.events.urls")),
    path("me/expert/", include("duijie.experts.urls")),
    path("onboarding/", include("duijie.onboarding.urls")),
    path("portal/", include("duijie.portal.urls")),
    path("imports/", include("duijie.imports.urls")),
    path("dedupe/", include("duijie.dedupe.urls")),
    path("cooperation/", include("duijie.cooperation.urls")),
    path("pairings/", include("duijie.pairings.urls")),
    path("programmes/", include("duijie.programmes.urls")),
    path("challenges/", include("duijie.challenges.urls")),
    path("awards/", include("duijie.awards.urls")),
    path("innovation/", include("duijie.innovation.urls")),
]

handler400 = "duijie.core.views.bad_request"
handler403 = "duijie.core.views.permission_denied"
handler500 = "duijie.core.views.server_error"
