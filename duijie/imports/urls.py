from django.urls import path

from duijie.imports import table_views, views

app_name = "imports"

urlpatterns = [
    path("", views.history, name="history"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="progress"),
    path("jobs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("jobs/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("jobs/<int:pk>/retry/", views.retry, name="retry"),
    path("jobs/<int:pk>/errors.xlsx", views.errors, name="errors"),
    path("forms/<slug:layout>/blank.<str:fmt>", views.form_blank, name="form_blank"),
    path("forms/<slug:layout>/<str:fmt>/<int:pk>/", views.form_export, name="form_export"),
    path("tables/<slug:name>/upload/", table_views.table_upload, name="table_upload"),
    path("tables/<slug:name>/sample.xlsx", table_views.table_sample, name="table_sample"),
    path("tables/<slug:name>/<slug:code>/export.xlsx", table_views.table_export, name="table_export"),
    path("<slug:slug>/template.xlsx", views.template, name="template"),
    path("<slug:slug>/upload/", views.upload, name="upload"),
]
