"""What the demo areas share: the demo world's clock and time zone, batch size, number formats, and the
records an area hands to the next (enterprises and experts with their industry, place and units)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from duijie.core.models import Park
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise, Institution, InstitutionUnit

TZ = ZoneInfo("Asia/Shanghai")
# The day the current world's dates are written against; the generator moves them to the day it runs
# for (``_Generator.recent``): every such date keeps its distance from today, deadlines stay ahead.
REF_DAY = date(2026, 5, 31)
BATCH = 500
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188",
                   "189", "199"]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714 organisation-code check


@dataclass
class Ent:
    obj: Enterprise
    key: str  # industry key
    district: str
    park: Park | None
    unit_ids: list[int]
    tier: int


@dataclass
class Exp:
    obj: Expert
    key: str
    inst: Institution | None
    unit: InstitutionUnit | None
    ent: Ent | None = None
    unit_ids: list[int] = field(default_factory=list)


def add_years(day: date, years: int) -> date:
    """Same day ``years`` later; 29 February becomes 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def clip(sentences: list[str], limit: int) -> str:
    """Join sentences, dropping trailing ones until the text fits the Annex-1 character limit."""
    out = ""
    for s in sentences:
        if len(out) + len(s) > limit:
            break
        out += s
    return out or sentences[0][:limit]
