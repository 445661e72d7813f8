from django.urls import path

from duijie.core import views

app_name = "registry"

urlpatterns = [
    path("<slug:slug>/", views.record_list, name="list"),
    path("<slug:slug>/add/", views.record_create, name="add"),
    path("<slug:slug>/pick/", views.record_pick, name="pick"),
    path("<slug:slug>/<int:pk>/pick/", views.record_pick, name="pick_for"),
    path("<slug:slug>/export.xlsx", views.record_export, name="export"),
    path("<slug:slug>/<int:pk>/", views.record_detail, name="detail"),
    path("<slug:slug>/<int:pk>/edit/", views.record_edit, name="edit"),
    path("<slug:slug>/<int:pk>/delete/", views.record_delete, name="delete"),
    path("<slug:slug>/<int:pk>/history/", views.record_history, name="history"),
    path("<slug:slug>/<int:pk>/do/<slug:name>/", views.record_transition, name="transition"),
    path("<slug:slug>/<int:pk>/grants/", views.record_grant, name="grant"),
    path("<slug:slug>/<int:pk>/grants/<int:grant_id>/revoke/", views.record_grant_revoke, name="grant_revoke"),
]
