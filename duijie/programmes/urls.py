from django.urls import path

from duijie.programmes import supervision_views as sv
from duijie.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.programme_progress, name="progress"),
    path("<slug:code>/supervision/", sv.rounds, name="rounds"),
    path("supervision/<int:pk>/", sv.round_detail, name="round"),
    path("supervision/<int:pk>/issue/", sv.round_issue, name="round_issue"),
    path("supervision/<int:pk>/reopen/", sv.round_reopen, name="round_reopen"),
    path("supervision/<int:pk>/comment/", sv.round_comment, name="round_comment"),
    path("supervision/<int:pk>/units/<int:unit>/submission/", sv.round_submit, name="round_submit"),
    path("supervision/<int:pk>/units/<int:unit>/attachment/", sv.round_attachment, name="round_attachment"),
    path("supervision/<int:pk>/print/", sv.round_print, name="round_print"),
    path("supervision/<int:pk>/report.<str:fmt>", sv.round_file, name="round_file"),
    path("targets/<int:pk>/", views.target_records, name="target"),
]
