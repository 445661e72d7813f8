from django.urls import path

from duijie.challenges import api

urlpatterns = [
    path("challenges/<int:pk>/invitations/", api.ChallengeInvitationsView.as_view(), name="challenge-invitations"),
    path("challenge-invitations/", api.InvitationsReceivedView.as_view(), name="challenge-invitations-received"),
    path("challenge-invitations/<int:pk>/respond/", api.InvitationRespondView.as_view(),
         name="challenge-invitation-respond"),
    path("challenges/<int:pk>/bids/", api.BidsView.as_view(), name="challenge-bids"),
    path("challenges/<int:pk>/scorecards/", api.ScorecardsView.as_view(), name="challenge-scorecards"),
    path("challenges/<int:pk>/conflicts/", api.ConflictsView.as_view(), name="challenge-conflicts"),
    path("challenges/<int:pk>/gates/", api.GatesView.as_view(), name="challenge-gates"),
    path("challenges/<int:pk>/bids/<int:bid_pk>/attachments/", api.AttachmentsView.as_view(),
         name="challenge-bid-attachments"),
    path("challenges/<int:pk>/attachments/<int:attachment_pk>/", api.AttachmentView.as_view(),
         name="challenge-attachment"),
]
