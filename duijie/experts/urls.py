from django.urls import path

from duijie.experts import views

app_name = "experts"

urlpatterns = [
    path("", views.my_profile, name="me"),
    path("consent/", views.my_consent, name="consent"),
    path("opt-out/", views.my_opt_out, name="opt_out"),
    path("erase/", views.my_erase, name="erase"),
]
