from django.urls import path

from duijie.matching import views

app_name = "matching"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("panel/<slug:slug>/<int:pk>/", views.panel, name="panel"),
    path("feedback/", views.feedback, name="feedback"),
]
