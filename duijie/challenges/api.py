"""API of challenges beyond the generic /api/challenges/ endpoints: sealed bids, blind scorecards, the
conflict screen and the gates — the same selectors and services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from duijie.challenges import conflicts, selectors, services
from duijie.challenges.models import Bid, BidAttachment, Challenge, Gate, Invitation, Milestone, Scorecard
from duijie.challenges.views import attachment_response
from duijie.cooperation import services as cooperation_services
from duijie.core import selectors as core_selectors
from duijie.experts.models import Expert
from duijie.orgs.models import Institution


def _challenge(request, pk) -> Challenge:
    try:
        return selectors.challenge_get(request.user, pk)
    except Challenge.DoesNotExist:
        raise exceptions.NotFound() from None


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["order", "title", "deliverable", "due_on", "share"]


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = BidAttachment
        fields = ["id", "title", "file_name", "file_type", "size", "sha256", "created_at", "download"]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return reverse("challenge-attachment", args=[obj.bid.challenge_id, obj.pk])


class BidSerializer(serializers.ModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    answers = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Bid
        fields = ["id", "challenge", "lead_expert", "institution", "members", "approach", "maturity", "budget",
                  "conflict_declaration", "status", "milestones", "answers", "attachments"]
        read_only_fields = fields

    def get_answers(self, obj) -> dict[str, str]:
        return {str(a.criterion_id): a.text for a in obj.answers.all()}


class MilestoneIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    deliverable = serializers.CharField()
    due_on = serializers.DateField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2)


class BidIn(serializers.Serializer):
    lead_expert = serializers.PrimaryKeyRelatedField(queryset=Expert.objects.all(), required=False, allow_null=True)
    members = serializers.PrimaryKeyRelatedField(queryset=Expert.objects.all(), many=True, required=False)
    approach = serializers.CharField()
    maturity = serializers.CharField()
    budget = serializers.CharField()
    conflict_declaration = serializers.CharField()
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="criterion id → answer")
    milestones = MilestoneIn(many=True)


class BidsView(APIView):
    @extend_schema(summary="Bids of a challenge the caller may read",
                   description="A bidder reads their own bid; the poster, government roles in scope and seated "
                               "reviewers read every bid once bidding has closed.",
                   responses=BidSerializer(many=True))
    def get(self, request, pk: int):
        challenge = _challenge(request, pk)
        qs = selectors.bids_visible(request.user, challenge).prefetch_related("milestones", "answers", "members",
                                                                              "attachments__bid")
        return Response(BidSerializer(qs, many=True).data)

    @extend_schema(summary="Submit a bid", request=BidIn, responses={201: BidSerializer})
    def post(self, request, pk: int):
        challenge = _challenge(request, pk)
        data = BidIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            answers = {int(k): v for k, v in d["answers"].items()}
        except ValueError:
            raise exceptions.ValidationError({"answers": ["criterion ids"]}) from None
        try:
            bid = services.bid_submit(challenge=challenge, by=request.user, lead_expert=d.get("lead_expert"),
                                      members=d.get("members", []), approach=d["approach"], maturity=d["maturity"],
                                      budget=d["budget"], conflict_declaration=d["conflict_declaration"],
                                      answers=answers, milestones=d["milestones"])
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        return Response(BidSerializer(bid).data, status=201)


class ScoreOut(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    value = serializers.DecimalField(max_digits=4, decimal_places=2)


class ScorecardSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="member.expert.name")
    scores = ScoreOut(many=True)

    class Meta:
        model = Scorecard
        fields = ["id", "bid", "reviewer", "scores", "comment", "submitted_at"]


class ScorecardIn(serializers.Serializer):
    bid = serializers.IntegerField()
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2),
                                   help_text="criterion id → score 0–10")
    comment = serializers.CharField(required=False, allow_blank=True)


class ScorecardsView(APIView):
    @extend_schema(summary="Scorecards the caller may read (blind review)",
                   description="A reviewer reads their own scorecards, and another reviewer's for a bid only after "
                               "submitting their own for it; the poster and government roles in scope read all "
                               "once bidding has closed.",
                   responses=ScorecardSerializer(many=True))
    def get(self, request, pk: int):
        challenge = _challenge(request, pk)
        return Response(ScorecardSerializer(selectors.scorecards_visible(request.user, challenge), many=True).data)

    @extend_schema(summary="Submit one's scorecard for a bid", request=ScorecardIn, responses={201: ScorecardSerializer})
    def post(self, request, pk: int):
        challenge = _challenge(request, pk)
        data = ScorecardIn(data=request.data)
        data.is_valid(raise_exception=True)
        bid = selectors.bids_visible(request.user, challenge).filter(pk=data.validated_data["bid"]).first()
        if bid is None:
            raise exceptions.NotFound()
        values = {int(k): v for k, v in data.validated_data["scores"].items() if str(k).isdigit()}
        try:
            card = services.scorecard_submit(challenge=challenge, bid=bid, by=request.user, values=values,
                                             comment=data.validated_data.get("comment", ""))
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        return Response(ScorecardSerializer(card).data, status=201)


class ExclusionOut(serializers.Serializer):
    rule = serializers.CharField()
    label = serializers.CharField()
    reason = serializers.CharField()


class CandidateOut(serializers.Serializer):
    expert = serializers.IntegerField(source="expert.pk")
    name = serializers.CharField(source="expert.name")
    excluded = serializers.BooleanField()
    exclusions = ExclusionOut(many=True)


class ConflictsView(APIView):
    @extend_schema(summary="Conflict screen of candidate reviewers",
                   description="Government roles in scope only. `experts`: comma-separated expert ids (default: "
                               "the seated panel).",
                   responses=CandidateOut(many=True))
    def get(self, request, pk: int):
        challenge = _challenge(request, pk)
        if not core_selectors.can_review(request.user, challenge):
            raise exceptions.PermissionDenied()
        raw = request.query_params.get("experts", "")
        ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
        experts = Expert.objects.filter(pk__in=ids) if ids else Expert.objects.filter(panel_seats__challenge=challenge)
        return Response(CandidateOut(conflicts.screen(challenge, experts.select_related("institution")), many=True).data)


class GateSerializer(serializers.ModelSerializer):
    milestone = serializers.IntegerField(source="milestone.order")

    class Meta:
        model = Gate
        fields = ["id", "bid", "milestone", "decision", "reason", "released", "created_at"]


class GatesView(APIView):
    @extend_schema(summary="Gate decisions and released tranches of the teams the caller may read",
                   responses=GateSerializer(many=True))
    def get(self, request, pk: int):
        challenge = _challenge(request, pk)
        teams = selectors.bids_visible(request.user, challenge)
        return Response(GateSerializer(Gate.objects.filter(bid__in=teams).select_related("milestone"), many=True).data)


class AttachmentIn(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AttachmentsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(summary="Add a file to one's own bid (while bidding is open)",
                   description="PDF, Word (.docx), Excel (.xlsx), JPG or PNG, checked by content; sealed like the bid.",
                   request={"multipart/form-data": AttachmentIn}, responses={201: AttachmentSerializer})
    def post(self, request, pk: int, bid_pk: int):
        challenge = _challenge(request, pk)
        bid = selectors.bids_visible(request.user, challenge).filter(selectors.own_bids_q(request.user),
                                                                     pk=bid_pk).first()
        if bid is None:
            raise exceptions.NotFound()
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > cooperation_services.max_document_bytes():
            raise exceptions.ValidationError({"file": [
                _("The file is %(size).1f MB; the largest file accepted is %(limit).1f MB.")
                % {"size": upload.size / 1048576, "limit": cooperation_services.max_document_bytes() / 1048576}]})
        try:
            att = services.bid_attachment_add(bid=bid, by=request.user, file_name=upload.name, data=upload.read(),
                                              title=data.validated_data.get("title", ""))
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        return Response(AttachmentSerializer(att).data, status=201)


class AttachmentView(APIView):
    @extend_schema(summary="Download a bid's file (sealed like the bid)", responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int, attachment_pk: int):
        challenge = _challenge(request, pk)
        att = BidAttachment.objects.filter(pk=attachment_pk, bid__challenge=challenge).select_related("bid").first()
        if att is None or not selectors.bids_visible(request.user, challenge).filter(pk=att.bid_id).exists():
            raise exceptions.NotFound()
        return attachment_response(att, services.bid_attachment_read(attachment=att, by=request.user))


class ChallengeInvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "challenge", "expert", "institution", "reasons", "message", "status", "response_note",
                  "created_at", "responded_at"]
        read_only_fields = fields


class InvitationIn(serializers.Serializer):
    expert = serializers.IntegerField(required=False, allow_null=True)
    institution = serializers.IntegerField(required=False, allow_null=True)
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    message = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ChallengeInvitationsView(APIView):
    @extend_schema(summary="Invitations to bid of a challenge",
                   description="All of them for the poster and the office in scope; one's own otherwise.",
                   responses=ChallengeInvitationSerializer(many=True))
    def get(self, request, pk: int):
        challenge = _challenge(request, pk)
        return Response(ChallengeInvitationSerializer(selectors.invitations_of(request.user, challenge), many=True).data)

    @extend_schema(summary="Invite an expert (a team lead) or an institution to bid",
                   request=InvitationIn, responses={201: ChallengeInvitationSerializer})
    def post(self, request, pk: int):
        challenge = _challenge(request, pk)
        data = InvitationIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        expert = Expert.objects.filter(pk=d["expert"]).select_related("institution").first() if d.get("expert") else None
        institution = Institution.objects.filter(pk=d["institution"]).first() if d.get("institution") else None
        if (d.get("expert") and expert is None) or (d.get("institution") and institution is None):
            raise exceptions.NotFound()
        try:
            inv = services.invitation_send(challenge=challenge, by=request.user, expert=expert,
                                           institution=None if expert else institution,
                                           reasons=d.get("reasons", ""), message=d.get("message", ""))
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        return Response(ChallengeInvitationSerializer(inv).data, status=201)


class InvitationsReceivedView(APIView):
    @extend_schema(summary="Invitations to bid the caller received (as an expert or an institution's office)",
                   responses=ChallengeInvitationSerializer(many=True))
    def get(self, request):
        return Response(ChallengeInvitationSerializer(selectors.invitations_received(request.user), many=True).data)


class InvitationReply(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class InvitationRespondView(APIView):
    @extend_schema(summary="Accept or decline an invitation to bid", request=InvitationReply,
                   responses=ChallengeInvitationSerializer)
    def post(self, request, pk: int):
        inv = selectors.invitations_received(request.user).filter(pk=pk).first()
        if inv is None:
            raise exceptions.NotFound()
        data = InvitationReply(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            inv = services.invitation_respond(invitation=inv, by=request.user, accept=data.validated_data["accept"],
                                              note=data.validated_data.get("note", ""))
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        return Response(ChallengeInvitationSerializer(inv).data)
