"""Reads of challenges beyond the registry's: sealed bids and blind scorecards.

- A challenge itself is read through ``core.selectors`` (scope, visibility, published states).
- **Bids are sealed**: a bidder (the account that submitted it, its team lead, or the tech-transfer
  office of its institution) reads their own bid at any time; the poster, government roles in scope
  and seated reviewers read the bids only once bidding has closed. Nobody else ever.
- **Scoring is blind**: a reviewer reads their own scorecards; another reviewer's scorecard for a bid
  only after submitting their own for that bid. The poster and government roles in scope read every
  scorecard once bidding has closed (they run the panel, they do not score).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from duijie.challenges.models import Bid, Challenge, Invitation, PanelMember, Scorecard
from duijie.core import selectors
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role


def challenges(user) -> QuerySet:
    return selectors.record_list(record_type=REGISTRY["challenges"], user=user)


def challenge_get(user, pk) -> Challenge:
    """A challenge the user may read (``Challenge.DoesNotExist`` otherwise)."""
    return challenges(user).get(pk=pk)


def expert_profile(user):
    return getattr(user, "expert_profile", None) if user.is_authenticated else None


def own_bids_q(user) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(submitted_by=user.pk)
    expert = expert_profile(user)
    if expert is not None:
        q |= Q(lead_expert=expert.pk)
    if getattr(user, "organisation_id", None) and getattr(user, "role", None) == Role.INSTITUTION:
        q |= Q(institution__organisation=user.organisation_id)
    return q


def panel_member(user, challenge: Challenge) -> PanelMember | None:
    expert = expert_profile(user)
    if expert is None:
        return None
    return PanelMember.objects.filter(challenge=challenge, expert=expert).first()


def runs_challenge(user, challenge: Challenge) -> bool:
    """The poster (who may edit the challenge) or a government role in scope."""
    return selectors.can_edit(user, challenge)


def bids_visible(user, challenge: Challenge) -> QuerySet:
    qs = Bid.objects.filter(challenge=challenge).select_related("lead_expert", "institution")
    own = qs.filter(own_bids_q(user))
    if challenge.status not in Challenge.BIDS_OPEN_STATES:
        return own
    if runs_challenge(user, challenge) or panel_member(user, challenge) is not None:
        return qs
    return own


def scorecards_visible(user, challenge: Challenge) -> QuerySet:
    qs = (Scorecard.objects.filter(bid__challenge=challenge)
          .select_related("member__expert", "bid__lead_expert").prefetch_related("scores__criterion"))
    if challenge.status in Challenge.BIDS_OPEN_STATES and runs_challenge(user, challenge):
        return qs
    member = panel_member(user, challenge)
    if member is None:
        return qs.none()
    submitted_bids = Scorecard.objects.filter(member=member).values("bid")
    return qs.filter(Q(member=member) | Q(bid__in=submitted_bids))


# ---- invitations to bid: the sender's side (the poster, the office) and the invitee's ----

def invitations_received_q(user) -> Q:
    """Invitations addressed to ``user``: to their expert profile, or (for an institution's
    tech-transfer office) to the institution or one of its experts."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    expert = expert_profile(user)
    if expert is not None:
        q |= Q(expert=expert.pk)
    if getattr(user, "organisation_id", None) and getattr(user, "role", None) == Role.INSTITUTION:
        q |= Q(institution__organisation=user.organisation_id)
    return q


def invitations_received(user) -> QuerySet:
    """What the user was invited to, on challenges they may read."""
    return (Invitation.objects.filter(invitations_received_q(user), challenge__in=challenges(user))
            .select_related("challenge", "expert", "institution"))


def invitation_recipient(user, invitation: Invitation) -> bool:
    return Invitation.objects.filter(invitations_received_q(user), pk=invitation.pk).exists()


def invitations_of(user, challenge: Challenge) -> QuerySet:
    """The invitations of a challenge: all of them for the poster and the office; one's own otherwise."""
    qs = Invitation.objects.filter(challenge=challenge).select_related("expert__institution", "institution",
                                                                       "invited_by")
    return qs if runs_challenge(user, challenge) else qs.filter(invitations_received_q(user))


def objections_of(user, challenge: Challenge) -> QuerySet:
    """Objections of a challenge: the office and the poster read all; anyone else only their own."""
    qs = challenge.objections.select_related("lodged_by", "resolved_by")
    if runs_challenge(user, challenge):
        return qs
    return qs.filter(lodged_by=user.pk) if user.is_authenticated else qs.none()
