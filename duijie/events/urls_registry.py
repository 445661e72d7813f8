"""Event-specific pages that take the place of the generic registry pages at the same addresses:
``/r/events/add/`` (creation through events.services.lifecycle.event_create) and ``/r/events/<pk>/`` (the event
page with its tabs). Mounted before ``/r/`` in config/urls.py; every other ``/r/events/...`` address
falls through to the generic registry views."""

from django.urls import path

from duijie.events import views

urlpatterns = [
    path("add/", views.event_add, name="event_add"),
    path("<int:pk>/", views.event_page, name="event_page"),
]
