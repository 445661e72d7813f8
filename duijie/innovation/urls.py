from django.urls import path

from duijie.innovation import tier_views, views

app_name = "innovation"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/bank.xlsx", views.bank_export, name="bank_export"),
    path("runs/<int:pk>/<slug:action>/", views.run_action, name="run_action"),
    path("scores/<int:pk>/", views.score_detail, name="score"),
    path("scores/<int:pk>/object/", views.score_object, name="object"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="resolve"),
    path("tiers/", tier_views.tiers_page, name="tiers"),
    path("consent/", views.consent, name="consent"),
    path("sets/<int:pk>/", views.set_detail, name="set"),
    path("sets/<int:pk>/weights/", views.set_weights, name="weights"),
    path("sets/<int:pk>/<slug:action>/", views.set_action, name="set_action"),
]
