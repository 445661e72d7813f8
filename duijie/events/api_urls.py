from django.urls import path

from duijie.events import api

urlpatterns = [
    path("events/<int:pk>/invitations/", api.EventInvitationsView.as_view(), name="event-invitations"),
    path("events/<int:pk>/plan/", api.EventPlanView.as_view(), name="event-plan"),
    path("events/<int:pk>/register/", api.EventRegisterView.as_view(), name="event-register"),
    path("events/<int:pk>/check-in/", api.EventCheckInView.as_view(), name="event-check-in"),
]
