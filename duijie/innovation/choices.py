from django.db import models
from django.utils.translation import gettext_lazy as _


class Group(models.TextChoices):
    """The guideline's three first-level groups, and the bonus and negative items beside them."""

    TECH = "tech", _("Technology innovation (技术创新指标)")
    GROWTH = "growth", _("Growth and operations (成长经营指标)")
    AUX = "aux", _("Auxiliary (辅助指标)")
    BONUS = "bonus", _("Bonus items (加分项)")
    NEGATIVE = "negative", _("Negative items (减分项)")


CORE_GROUPS = (Group.TECH, Group.GROWTH, Group.AUX)


class Stage(models.TextChoices):
    """The guideline's enterprise stages; which stage an enterprise is in is the set's stage rule (data)."""

    STARTUP = "startup", _("Start-up (初创期)")
    GROWTH = "growth", _("Growth (成长期)")
    STABLE = "stable", _("Stable (稳定期)")


class Method(models.TextChoices):
    """How a raw value becomes a share (0–1) of the indicator's weight. Code holds the kinds; every
    threshold, cap and step is a parameter stored with the indicator."""

    LINEAR_CAP = "linear_cap", _("Linear up to a cap")
    PIECEWISE = "piecewise", _("Piecewise steps")
    PERCENTILE = "percentile", _("Percentile among the enterprises of the same stage")
    BOOLEAN = "boolean", _("Yes / no")


class Source(models.TextChoices):
    """Where an indicator's raw value is read from (innovation/sources.py). Parameters (which
    qualification kinds, which carrier levels) are stored with the indicator."""

    RD_SPEND = "rd_spend", _("R&D spend (yearly metrics)")
    RD_INTENSITY = "rd_intensity", _("R&D spend / revenue, % (yearly metrics)")
    RD_STAFF = "rd_staff", _("R&D staff (yearly metrics)")
    RD_STAFF_SHARE = "rd_staff_share", _("R&D staff / employees, % (yearly metrics)")
    REVENUE = "revenue", _("Revenue (yearly metrics)")
    REVENUE_GROWTH = "revenue_growth", _("Revenue growth on the year before, % (yearly metrics)")
    TAX = "tax", _("Tax paid (yearly metrics)")
    EMPLOYEES = "employees", _("Employees (yearly metrics)")
    ABOVE_SCALE = "above_scale", _("Above designated size (yearly metrics)")
    INVENTION_PATENTS = "invention_patents", _("Invention patents in force (patents)")
    HIGH_VALUE_PATENTS = "high_value_patents", _("High-value patents in force (patents)")
    CONTRACTS_BOUGHT = "contracts_bought", _("Technology contracts bought, amount (contracts)")
    CONTRACTS_SOLD = "contracts_sold", _("Technology contracts sold, amount (contracts)")
    PROJECTS = "projects", _("Cooperation projects signed (projects)")
    QUALIFICATIONS = "qualifications", _("Qualifications valid at year end (qualifications)")
    NEW_QUALIFICATIONS = "new_qualifications", _("Qualifications first valid in the year (qualifications)")
    CARRIERS = "carriers", _("Carriers / platforms hosted (carriers)")
    PLACEMENTS = "placements", _("Tech vice-presidents hosted in the year (placements)")
    PAIRINGS = "pairings", _("Experts linked in the year (pairings)")
    ADJUSTMENTS = "adjustments", _("Filed bonus / negative items (adjustments)")


class SetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (computed)")
    PUBLICITY = "publicity", _("In publicity (公示)")
    PUBLISHED = "published", _("Published (frozen)")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: data corrected, run recomputed")
    REJECTED = "rejected", _("Rejected")

