from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    """The kinds of money rule (issue 15 item 1). Code holds the kinds; every number is a parameter."""

    SHARE = "share", _("Share of an amount, with caps")
    PER_PERSON = "per_person", _("Fixed sum per person, yearly count cap")
    PER_ORG_CAPPED = "per_org_capped", _("Sum per item, capped per organisation")
    PER_ITEM = "per_item", _("Fixed sum per item")
    RANKED = "ranked", _("Ranked by an evaluation")


class CandidateSource(models.TextChoices):
    """Where a scheme's candidates come from: found in the records (免申即享) or filed."""

    REGISTERED_CONTRACTS = "registered_contracts", _("Technology contracts registered in the year (免申即享)")
    APPLICATIONS = "applications", _("Nominations and applications with basis records")


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Channel(models.TextChoices):
    NOMINATION = "nomination", _("Nomination")
    APPLICATION = "application", _("Application")


class ApplicationStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RoundStatus(models.TextChoices):
    """候选 → 审核（逐级） → 审核完成 → 批准（联席会议） → 公示 → 发放名单已下达 → 结清."""

    DRAFT = "draft", _("Candidates (draft)")
    IN_REVIEW = "in_review", _("In review")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    PUBLICITY = "publicity", _("Publicity (公示)")
    ISSUED = "issued", _("Payout list issued")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    ALLOCATED = "allocated", _("Allocated")
    CAPPED = "capped", _("Allocated, capped")
    REFUSED = "refused", _("Refused")
    DUPLICATE = "duplicate", _("Duplicate")


PAID_OUTCOMES = (Outcome.ALLOCATED, Outcome.CAPPED)


class ReviewDecision(models.TextChoices):
    PASSED = "passed", _("Passed")
    RETURNED = "returned", _("Returned for changes")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")


class ResponseKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by the payee")
    OBJECTION = "objection", _("Objection")


class Resolution(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the round goes back to its candidates")
    DISMISSED = "dismissed", _("Dismissed: the line stands")
