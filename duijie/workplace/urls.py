from django.urls import path

from duijie.workplace import views

app_name = "workplace"
urlpatterns = [
    path("recommendations/", views.recommended, name="recommendations"),
    path("figures/", views.figures, name="figures"),
]
