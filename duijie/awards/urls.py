from django.urls import path

from duijie.awards import views

app_name = "awards"

urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/payout.xlsx", views.payout_download, name="payout"),
    path("rounds/<int:pk>/<slug:action>/", views.round_action, name="round_action"),
    path("rules/<int:pk>/sandbox/", views.rule_sandbox, name="sandbox"),
]
