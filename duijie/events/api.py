"""API for the event workflow beyond the generic /api/events/ and /api/intentions/ endpoints:
invitations (organiser: list and add; others: their own), self-registration and check-in. Every
endpoint reads the event through the scoped selector (404 if the user may not see it) and writes
through events.services."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from duijie.core import selectors as core_selectors
from duijie.events import planner, selectors, services
from duijie.events.models import Event, Invitation
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise


class InvitationSerializer(serializers.ModelSerializer):
    party = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Invitation
        fields = ("id", "event", "enterprise", "institution", "expert", "party", "status", "self_registered",
                  "checked_in_at")
        read_only_fields = fields


class InvitationAddSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(required=False, min_value=1)
    institution = serializers.IntegerField(required=False, min_value=1)
    expert = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if len([k for k in ("enterprise", "institution", "expert") if attrs.get(k)]) != 1:
            raise serializers.ValidationError(_("Invite exactly one enterprise, institution or expert at a time."))
        return attrs


class CheckInSerializer(serializers.Serializer):
    invitation = serializers.IntegerField(required=False, min_value=1,
                                          help_text="Invitation to check in (organiser). Omit to check yourself in.")


def _event(request, pk) -> Event:
    try:
        return selectors.event_get(user=request.user, pk=pk)
    except (Event.DoesNotExist, ValueError, OverflowError):
        raise exceptions.NotFound()


def _party(model_path: str, pk, user):
    model = apps.get_model(model_path)
    obj = core_selectors.visible_queryset(model, user).filter(pk=pk).first()
    if obj is None:
        raise exceptions.ValidationError({model_path.split(".")[1].lower(): [_("No such record.")]})
    return obj


class EventInvitationsView(APIView):
    @extend_schema(tags=["events"], responses=InvitationSerializer(many=True),
                   description="The event's invitations (organiser), or your own invitation.")
    def get(self, request, pk: int):
        event = _event(request, pk)
        return Response(InvitationSerializer(selectors.invitation_list(event=event, user=request.user), many=True).data)

    @extend_schema(tags=["events"], request=InvitationAddSerializer, responses={201: InvitationSerializer},
                   description="Invite one enterprise, institution or expert (organiser only).")
    def post(self, request, pk: int):
        event = _event(request, pk)
        if not selectors.is_organiser(request.user, event):
            raise exceptions.PermissionDenied()
        body = InvitationAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        paths = {"enterprise": "orgs.Enterprise", "institution": "orgs.Institution", "expert": "experts.Expert"}
        kind, pk_ = next((k, v) for k, v in body.validated_data.items() if v)
        inv = services.invitation_add(event=event, by=request.user, **{kind: _party(paths[kind], pk_, request.user)})
        return Response(InvitationSerializer(inv).data, status=201)


class EventRegisterView(APIView):
    @extend_schema(tags=["events"], request=None, responses={201: InvitationSerializer},
                   description="Register yourself (enterprise, expert or university account) for an open event.")
    def post(self, request, pk: int):
        inv = services.event_register(event=_event(request, pk), by=request.user)
        return Response(InvitationSerializer(inv).data, status=201)


class EventCheckInView(APIView):
    @extend_schema(tags=["events"], request=CheckInSerializer, responses=InvitationSerializer,
                   description="Check in: the organiser names an invitation; an invitee omits it to check in "
                               "themself (on the day of the event).")
    def post(self, request, pk: int):
        event = _event(request, pk)
        body = CheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        inv_id = body.validated_data.get("invitation")
        if inv_id:
            if not selectors.is_organiser(request.user, event):
                raise exceptions.PermissionDenied()
            inv = Invitation.objects.filter(event=event, pk=inv_id).select_related("event").first()
            if inv is None:
                raise exceptions.NotFound()
            inv = services.check_in(invitation=inv, by=request.user, via="desk")
        else:
            inv = services.check_in_self(event=event, by=request.user)
        return Response(InvitationSerializer(inv).data)


class PlannedInviteeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="obj.pk")
    name = serializers.CharField(source="obj.__str__")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class InvitationPlanSerializer(serializers.Serializer):
    enterprises = PlannedInviteeSerializer(many=True)
    experts = PlannedInviteeSerializer(many=True)


class PlanConfirmSerializer(serializers.Serializer):
    enterprises = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                        max_length=planner.MAX_PER_SIDE)
    experts = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                    max_length=planner.MAX_PER_SIDE)


class EventPlanView(APIView):
    """按主题规划邀请 (organiser only): the proposal for the event's theme, and its confirmation."""

    def _organised(self, request, pk) -> Event:
        event = _event(request, pk)
        if not selectors.is_organiser(request.user, event):
            raise exceptions.PermissionDenied()
        return event

    @extend_schema(tags=["events"], responses=InvitationPlanSerializer,
                   description="Enterprises and experts proposed for the event's theme and industries, the same "
                               "number on each side (``n``, default 10, at most 50), with reasons; parties already "
                               "invited, experts who opted out and records you may not see are left out.")
    def get(self, request, pk: int):
        event = self._organised(request, pk)
        try:
            n = max(1, min(int(request.query_params.get("n", 10)), planner.MAX_PER_SIDE))
        except ValueError:
            raise exceptions.ValidationError({"n": [_("A whole number, please.")]})
        plan = planner.plan_invitations(event, request.user, enterprises=n, experts=n)
        return Response(InvitationPlanSerializer(plan).data)

    @extend_schema(tags=["events"], request=PlanConfirmSerializer, responses={201: InvitationSerializer(many=True)},
                   description="Invite the enterprises and experts kept from the plan, all or nothing.")
    def post(self, request, pk: int):
        event = self._organised(request, pk)
        body = PlanConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        chosen = {}
        for key, model in (("enterprises", Enterprise), ("experts", Expert)):
            ids = set(body.validated_data[key])
            objs = list(core_selectors.visible_queryset(model, request.user).filter(pk__in=ids))
            if len(objs) != len(ids):
                raise exceptions.ValidationError({key: [_("Some of the chosen records do not exist or you may not "
                                                          "see them.")]})
            chosen[key] = sorted(objs, key=lambda o: o.pk)
        created, _skipped = services.invitation_plan_confirm(event=event, by=request.user, **chosen)
        return Response(InvitationSerializer(created, many=True).data, status=201)
