from django.urls import path

from duijie.programmes import api, supervision_api

urlpatterns = [
    path("programmes/<slug:code>/progress/", api.ProgressView.as_view(), name="programme-progress"),
    path("programmes/<slug:code>/supervision/", supervision_api.RoundListView.as_view(), name="programme-rounds"),
    path("supervision/<int:pk>/", supervision_api.ReportView.as_view(), name="supervision-report"),
    path("supervision/<int:pk>/issue/", supervision_api.IssueView.as_view(), name="supervision-issue"),
    path("supervision/<int:pk>/reopen/", supervision_api.ReopenView.as_view(), name="supervision-reopen"),
]
