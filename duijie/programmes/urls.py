from django.urls import path

from duijie.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.programme_progress, name="progress"),
    path("targets/<int:pk>/", views.target_records, name="target"),
]
