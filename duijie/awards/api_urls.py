from django.urls import path

from duijie.awards import api

urlpatterns = [
    path("award-rounds/<int:pk>/budget/", api.BudgetView.as_view(), name="award-round-budget"),
    path("award-rule-versions/<int:pk>/sandbox/", api.SandboxView.as_view(), name="award-rule-sandbox"),
    path("award-payout-lists/<int:pk>/verify/", api.VerifyView.as_view(), name="award-payout-verify"),
]
