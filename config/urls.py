from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from duijie.core import views as core_views
from duijie.core.api import viewset_for
from duijie.core.registry import REGISTRY

router = DefaultRouter()
for slug, record_type in sorted(REGISTRY.items()):
    router.register(slug, viewset_for(record_type), basename=slug)


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="openapi"), name="api-docs"),
    path("api/", include(router.urls)),
    path("r/", include("duijie.core.urls")),
    path("me/expert/", include("duijie.experts.urls")),
    path("onboarding/", include("duijie.onboarding.urls")),
    path("imports/", include("duijie.imports.urls")),
]
