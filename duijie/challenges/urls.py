from django.urls import path

from duijie.challenges import views

app_name = "challenges"

urlpatterns = [
    path("from-demand/<int:pk>/", views.from_demand, name="from-demand"),
    path("<int:pk>/bid/", views.bid, name="bid"),
    path("<int:pk>/bids/", views.bids, name="bids"),
    path("<int:pk>/bids/<int:bid_pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/panel/", views.panel_page, name="panel"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/report.xlsx", views.report, name="report"),
    path("<int:pk>/report/", views.report_print, name="report-print"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<int:pk>/gates/", views.gates, name="gates"),
    path("matches/<slug:slug>/<int:pk>/", views.matches, name="matches"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/respond/", views.invitation_respond, name="invitation-respond"),
    path("<int:pk>/objection/", views.objection, name="objection"),
    path("<int:pk>/contract/", views.contract, name="contract"),
    path("<int:pk>/objections/<int:objection_pk>/resolve/", views.objection_resolve, name="objection-resolve"),
]
