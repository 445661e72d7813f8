from django.urls import path

from duijie.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("accept/<str:token>/", views.accept, name="accept"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/<str:decision>/", views.registration_review, name="review"),
    path("invite/", views.invite, name="invite"),
]
