from django.urls import path

from duijie.pairings import views

app_name = "pairings"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("visits/<int:pk>/needs/<int:line>/draft-demand/", views.draft_demand, name="draft_demand"),
]
