from django.urls import path

from duijie.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.listing, name="list"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
]
