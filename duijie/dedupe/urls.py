from django.urls import path

from duijie.dedupe import views

app_name = "dedupe"

urlpatterns = [
    path("", views.candidates, name="candidates"),
    path("<str:kind>/<int:a>/<int:b>/", views.compare, name="compare"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:pk>/", views.merge, name="merge"),
]
