from django.urls import path

from duijie.programmes import api

urlpatterns = [
    path("programmes/<slug:code>/progress/", api.ProgressView.as_view(), name="programme-progress"),
]
