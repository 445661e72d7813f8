from django.urls import path

from duijie.matching import api

urlpatterns = [
    path("recommendations/", api.RecommendationsView.as_view(), name="match-recommendations"),
    path("search/", api.SearchView.as_view(), name="match-search"),
    path("feedback/", api.FeedbackView.as_view(), name="match-feedback"),
]
