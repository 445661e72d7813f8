from django.urls import path

from duijie.events import views

app_name = "events"

urlpatterns = [
    path("followups/", views.followups, name="followups"),
    path("followups/<int:task_id>/done/", views.followup_done, name="followup_done"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/plan/", views.plan_page, name="plan"),
    path("<int:pk>/invitations/<int:inv_id>/status/", views.invitation_status, name="invitation_status"),
    path("<int:pk>/invitations/<int:inv_id>/remove/", views.invitation_remove, name="invitation_remove"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/checkin/", views.checkin_page, name="checkin"),
    path("<int:pk>/checkin/<int:inv_id>/", views.checkin_desk, name="checkin_desk"),
    path("<int:pk>/checkin/qr/<str:token>/", views.checkin_self, name="checkin_self"),
    path("<int:pk>/slots/book/", views.slot_book, name="slot_book"),
    path("<int:pk>/slots/suggested/", views.slot_book_suggested, name="slot_book_suggested"),
    path("<int:pk>/slots/fill/", views.slot_fill, name="slot_fill"),
    path("<int:pk>/slots/<int:slot_id>/cancel/", views.slot_cancel, name="slot_cancel"),
    path("<int:pk>/slots/<int:slot_id>/held/", views.slot_held, name="slot_held"),
    path("<int:pk>/intentions/", views.intention_add, name="intention_add"),
    path("<int:pk>/followups/", views.followup_add, name="followup_add"),
    path("<int:pk>/meeting-records/", views.meeting_record_add, name="meeting_record_add"),
]
