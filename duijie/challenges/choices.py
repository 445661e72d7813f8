"""Option lists of challenges (揭榜挂帅 / 赛马制, seed 004)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChallengeKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise list (企业榜)")
    GOVERNMENT = "government", _("Government list (政府榜)")


class ChallengeMode(models.TextChoices):
    OPEN = "open", _("Open challenge, one winner (揭榜挂帅)")
    HORSE_RACE = "horse_race", _("Horse race, several teams in parallel (赛马制)")


class IpTerms(models.TextChoices):
    ASSIGNMENT = "assignment", _("Assignment to the poster")
    LICENCE = "licence", _("Licence to the poster")
    NONE = "none", _("Stays with the solver")


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Under approval")
    PUBLISHED = "published", _("Published, open for bids")
    CLOSED = "closed", _("Bidding closed")
    UNDER_REVIEW = "under_review", _("Bids under review")
    AWARDED = "awarded", _("Awarded")
    IN_DELIVERY = "in_delivery", _("In delivery")
    FAILED = "failed", _("Failed")


class Maturity(models.TextChoices):
    IDEA = "idea", _("Idea / principle")
    LAB = "lab", _("Laboratory prototype")
    PILOT = "pilot", _("Pilot / small batch")
    PRODUCT = "product", _("Ready for production")


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Bid submitted")
    PROPOSED = "proposed", _("Proposed winner (in 公示)")
    WON = "won", _("Awarded")
    NOT_CHOSEN = "not_chosen", _("Not chosen")
    STOPPED = "stopped", _("Stopped at a gate")
    MERGED = "merged", _("Merged into another team")


class GateDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue (tranche released)")
    STOP = "stop", _("Stop")
    MERGE = "merge", _("Merge into another team")


class ConflictRule(models.TextChoices):
    BIDDER = "bidder", _("Is a member of a bidding team")
    SAME_INSTITUTION = "same_institution", _("Same institution as a bidder")
    PROJECT = "project", _("Cooperation project with a party")
    CONTRACT = "contract", _("Technology contract with a party")
    PAIRING = "pairing", _("Pairing (挂钩联系) with the enterprise")
    EMPLOYMENT = "employment", _("Role held at a party (科技副总 / 产业教授 …)")
    DECLARED = "declared", _("Declared interest")


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    DISMISSED = "dismissed", _("Dismissed")
    UPHELD = "upheld", _("Upheld (the decision is withdrawn)")
