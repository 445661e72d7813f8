from django.urls import path

from duijie.cooperation import views

app_name = "cooperation"

urlpatterns = [
    path("effect/", views.effect, name="effect"),
    path("effect.xlsx", views.effect_export, name="effect_export"),
    path("from-intention/", views.from_intention, name="from_intention"),
    path("projects/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]
