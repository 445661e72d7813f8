"""Indicators counted over pairings, visits, placements and student teams (contributed through
plugin.py; the library is core/indicators.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import COUNT, DISTINCT, LOCATION, STOCK, SUM, party_location, stock_records, total
from duijie.core.plugins import Figure, Indicator, Window, count, distinct, indicator_records
from duijie.pairings.choices import PairingKind, PlacementScheme, VisitProgramme

HOST = party_location("host_enterprise")  # a 科技副总 counts where the enterprise that hosts them is
ENTERPRISE = party_location("enterprise")  # a pairing or a visit counts where its enterprise is
EXPERT_PAIRINGS = {"kind__in": [PairingKind.EXPERT, PairingKind.ADVISER]}
TECH_VP = {"scheme__in": [PlacementScheme.TECH_VP_PROVINCIAL, PlacementScheme.TECH_VP_CITY]}
PEOPLE = pgettext_lazy("unit of measure", "people")
ENTERPRISES = pgettext_lazy("unit of measure", "enterprises")


def tech_vp_placements(user, window: Window) -> Figure:
    return count(indicator_records("placements", user, window, date_field="start_on", filters=TECH_VP,
                                   reach=HOST))


def industry_professor_placements(user, window: Window) -> Figure:
    return count(indicator_records("placements", user, window, date_field="start_on", reach=LOCATION,
                                   filters={"scheme": PlacementScheme.INDUSTRY_PROFESSOR}))


def _pairings(user, window: Window):
    return stock_records("pairings", user, window, from_field="start_on", to_field="end_on",
                         filters=EXPERT_PAIRINGS, reach=ENTERPRISE)


def paired_enterprises(user, window: Window) -> Figure:
    return distinct(_pairings(user, window), "enterprise")


def paired_experts(user, window: Window) -> Figure:
    return distinct(_pairings(user, window), "expert")


def visited_enterprises(user, window: Window) -> Figure:
    return distinct(indicator_records("visits", user, window, date_field="visited_on", reach=ENTERPRISE),
                    "enterprise")


def _teams(user, window: Window):
    return indicator_records("student-teams", user, window, date_field="entered_on", reach=LOCATION)


def student_teams(user, window: Window) -> Figure:
    return count(_teams(user, window))


def students(user, window: Window) -> Figure:
    return total(_teams(user, window), "members")


INDICATORS = (
    Indicator(
        slug="tech-vp-placements", label=_("Tech vice-presidents placed (科技副总)"),
        documentation=_("Placements under the provincial or the city tech vice-president scheme whose term "
                        "starts in the period; one per placement; counted where the host enterprise is "
                        "(its region, park or assessment units)."),
        unit=PEOPLE, record_type="placements", compute=tech_vp_placements, kind=COUNT, reach=HOST,
        source="seed 003 (新增江苏省“双创人才”科技副总超100名); seed 001 (科技副总)",
    ),
    Indicator(
        slug="industry-professor-placements", label=_("Industry professors appointed (产业教授)"),
        documentation=_("Placements under the provincial industry professor scheme whose term starts in the "
                        "period; one per placement; counted where the placement record is located."),
        unit=PEOPLE, record_type="placements", compute=industry_professor_placements, kind=COUNT,
        reach=LOCATION, source="seed 003 (新增江苏省产业教授200名)",
    ),
    Indicator(
        slug="paired-enterprises", label=_("Enterprises paired with experts"),
        documentation=_("Distinct enterprises with an expert or technology-adviser pairing in force on the "
                        "period's last day (started on or before it, not ended before it); once per "
                        "enterprise; counted where the enterprise is."),
        unit=ENTERPRISES, record_type="pairings", compute=paired_enterprises, kind=STOCK, reach=ENTERPRISE,
        source="seed 000 item 6 (百名专家教授挂钩联系百家企业); seed 002 (科技顾问进高企)",
    ),
    Indicator(
        slug="paired-experts", label=_("Experts paired with enterprises"),
        documentation=_("Distinct experts in an expert or technology-adviser pairing in force on the period's "
                        "last day; once per expert; counted where the paired enterprise is."),
        unit=PEOPLE, record_type="pairings", compute=paired_experts, kind=STOCK, reach=ENTERPRISE,
        source="seed 000 item 6 (百名专家教授挂钩联系百家企业)",
    ),
    Indicator(
        slug="visited-enterprises", label=_("Enterprises visited"),
        documentation=_("Distinct enterprises with a visit logged in the period, whatever the programme; once "
                        "per enterprise however often visited; counted where the enterprise is."),
        unit=ENTERPRISES, record_type="visits", compute=visited_enterprises, kind=DISTINCT, reach=ENTERPRISE,
        source="seed 002 (走访调研企业278家); seed 001 (十校十院千企行)",
    ),
    Indicator(
        slug="student-teams", label=_("Student start-up teams"),
        documentation=_("Student or teacher start-up teams that entered an incubator in the period; one per "
                        "team; counted where the team record is located."),
        unit=pgettext_lazy("unit of measure", "teams"), record_type="student-teams", compute=student_teams,
        kind=COUNT, reach=LOCATION, source="seed 001 (大学生创新创业团队)",
    ),
    Indicator(
        slug="students", label=_("Students in start-up teams"),
        documentation=_("Sum of the team sizes of the start-up teams that entered an incubator in the period; "
                        "counted where the team record is located."),
        unit=PEOPLE, record_type="student-teams", compute=students, kind=SUM, reach=LOCATION,
        source="seed 001 (大学生创新创业)",
    ),
)


def _ten_ten(who: str):
    """Distinct visiting universities, institutes (every other kind) or visited enterprises of
    十校十所进千企 visits."""
    university = Q(visiting_institution__kind="university")

    def compute(user, window: Window) -> Figure:
        visits = indicator_records("visits", user, window, date_field="visited_on", reach=ENTERPRISE,
                                   filters={"programme": VisitProgramme.TEN_TEN_THOUSAND})
        if who == "enterprises":
            return distinct(visits, "enterprise")
        return distinct(visits.filter(university if who == "universities" else ~university), "visiting_institution")
    return compute


INSTITUTIONS = pgettext_lazy("unit of measure", "institutions")
INDICATORS += (
    Indicator(
        slug="ten-ten-universities", label=_("Universities visiting enterprises (十校)"),
        documentation=_("Distinct universities that visited an enterprise under 十校十所进千企 in the period; once per "
                        "university; the visits are the drill-down; counted where the visited enterprise is."),
        unit=INSTITUTIONS, record_type="visits", compute=_ten_ten("universities"), kind=DISTINCT, reach=ENTERPRISE,
        source="seed 003 三、（三）4 (十所在常高校)",
    ),
    Indicator(
        slug="ten-ten-institutes", label=_("Institutes visiting enterprises (十所)"),
        documentation=_("Distinct research institutes (any visiting institution that is not a university) that "
                        "visited an enterprise under 十校十所进千企 in the period; once per institute; counted where "
                        "the visited enterprise is."),
        unit=INSTITUTIONS, record_type="visits", compute=_ten_ten("institutes"), kind=DISTINCT, reach=ENTERPRISE,
        source="seed 003 三、（三）4 (十家在常科研院所)",
    ),
    Indicator(
        slug="ten-ten-enterprises", label=_("Enterprises visited by universities and institutes (千企)"),
        documentation=_("Distinct enterprises visited under 十校十所进千企 in the period; once per enterprise however "
                        "often visited; counted where the enterprise is."),
        unit=ENTERPRISES, record_type="visits", compute=_ten_ten("enterprises"), kind=DISTINCT, reach=ENTERPRISE,
        source="seed 003 三、（三）4 (十校十所进千企)",
    ),
)
