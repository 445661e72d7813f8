"""The main menu of each role, as data (issue 16: "navigation trimmed to what the role can use").

Every role gets its own few menus, each a list of entries: a record list of the registry
(``rt("slug")``) or a page (``page("url name", label, roles)``). At render time an entry is kept only if
the user may use it — a record list when ``core.selectors.may_list`` offers it, a page when the role is
among its ``roles`` — so the menu never links to a page that refuses the user
(``workplace/tests/test_menu.py`` GETs every link for every demo role).

A record type that no menu lists is reached from its parent's page (a qualification from its
enterprise); ``REACHED_FROM_PARENT`` names them, and a test fails on a new record type that is in
neither, so the menu stays true as apps are added.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duijie.core import selectors
from duijie.core.registry import REGISTRY
from duijie.core.roles import GOVERNMENT_ROLES, Role

CITY, UNIT, PARK = Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER
GOV = GOVERNMENT_ROLES
ORGS = frozenset({Role.ENTERPRISE, Role.INSTITUTION})
BUSINESS = GOV | ORGS | {Role.EXPERT, Role.BROKER}


@dataclass(frozen=True)
class Entry:
    slug: str = ""  # a registry record type: its list page
    url_name: str = ""  # or a page
    label: object = ""
    roles: frozenset = frozenset()
    query: str = ""  # appended to the URL (a pre-set filter)

    def usable(self, user) -> bool:
        if self.slug:
            rt = REGISTRY.get(self.slug)
            return rt is not None and selectors.may_list(user, rt) and (
                not self.roles or getattr(user, "role", None) in self.roles)
        return getattr(user, "role", None) in self.roles

    def url(self) -> str:
        base = REGISTRY[self.slug].url() if self.slug else reverse(self.url_name)
        return f"{base}?{self.query}" if self.query else base

    def text(self):
        if self.label:
            return self.label
        return REGISTRY[self.slug].verbose_name_plural


def rt(slug: str, label: object = "", *, roles: frozenset = frozenset(), query: str = "") -> Entry:
    return Entry(slug=slug, label=label, roles=roles, query=query)


def page(url_name: str, label: object, roles, query: str = "") -> Entry:
    return Entry(url_name=url_name, label=label, roles=frozenset(roles), query=query)


@dataclass(frozen=True)
class Menu:
    label: object
    entries: tuple[Entry, ...]


# --------------------------------------------------------------------------------------------- menus
REGISTRIES = Menu(_("Registries"), (
    rt("enterprises"), rt("institutions"), rt("experts"), rt("parks"),
    rt("qualifications", roles=GOV), rt("metrics", roles=GOV),
    rt("assessment-units", roles=frozenset({CITY, UNIT})), rt("organisations", roles=frozenset({CITY})),
    rt("reported-values", roles=frozenset({CITY, UNIT})),
))
SUPPLY_DEMAND = Menu(_("Supply & demand"), (
    rt("demands"), rt("achievements"), rt("patents"), rt("carriers"), rt("scenarios"), rt("challenges"),
    page("matching:search", _("Search technology"), BUSINESS),
))
COOPERATION = Menu(_("Events & cooperation"), (
    rt("events"), rt("intentions"), page("events:followups", _("Follow-up tasks"), GOV),
    rt("projects"), rt("tech-contracts"), rt("project-outcomes", roles=GOV),
    rt("pairings", roles=GOV | {Role.EXPERT}), rt("visits", roles=GOV), rt("placements"),
    rt("placement-quotas", roles=frozenset({CITY, UNIT})), rt("student-teams", roles=GOV | {Role.INSTITUTION}),
))
PROGRAMMES = Menu(_("Programmes"), (
    rt("programmes"), rt("programme-indicators", roles=frozenset({CITY})), rt("targets"),
    rt("scoring-rules", roles=frozenset({CITY})),
))
AWARDS = Menu(_("Awards"), (
    page("awards:index", _("Awards and payouts"), GOV | ORGS | {Role.EXPERT}),
    rt("award-schemes", roles=GOV), rt("award-rule-versions", roles=frozenset({CITY})),
    rt("award-applications", roles=GOV | ORGS | {Role.EXPERT}), rt("award-rounds", roles=GOV),
    rt("award-payout-lists", roles=frozenset({CITY, UNIT})), rt("award-payee-accounts", roles=ORGS | {CITY}),
    page("innovation:index", _("Innovation score (创新积分)"), {CITY, UNIT, PARK}),
    page("innovation:tiers", _("Enterprise tiers (梯度培育)"), GOV),
))
ANALYTICS = Menu(_("Analytics"), (
    page("programmes:index", _("Programme progress"), GOV),
    page("cooperation:effect", _("Effectiveness of events"), GOV),
    page("pairings:overview", _("Overview: 十校十所进千企, quotas"), GOV),
))
TOOLS = Menu(_("Tools"), (
    page("imports:history", _("Imports"), GOV | ORGS),
    page("onboarding:registrations", _("Enterprise registrations"), {CITY, UNIT}),
    page("dedupe:candidates", _("Possible duplicates"), GOV),
    page("onboarding:invite", _("Create an institution account"), {CITY}),
    page("onboarding:invite", _("Invite an expert"), {Role.INSTITUTION}),
    page("export_requests", _("Export requests"), BUSINESS),
))

# What an enterprise, an institution's office, an expert and a broker look for, in their words.
FIND_TECHNOLOGY = Menu(_("Find technology"), (
    rt("achievements"), rt("patents"), rt("experts"), rt("institutions"), rt("carriers"),
    page("matching:search", _("Search technology"), BUSINESS),
))
FIND_DEMANDS = Menu(_("Find demands"), (
    rt("demands"), rt("challenges"), page("challenges:invitations", _("Invitations to bid"), {Role.EXPERT, Role.INSTITUTION}), rt("enterprises"), rt("scenarios"), rt("parks"),
    page("matching:search", _("Search technology"), BUSINESS),
))
MY_ENTERPRISE = Menu(_("My enterprise"), (
    rt("demands", _("Our demands"), query="mine=true"), rt("challenges", _("Our challenges"), query="mine=true"),
    rt("qualifications", _("Our qualifications")), rt("metrics", _("Our yearly figures")),
    page("imports:history", _("Imports"), ORGS),
))
MY_INSTITUTION = Menu(_("My institution"), (
    rt("achievements", _("Our achievements"), query="mine=true"), rt("patents", _("Our patents"), query="mine=true"),
    rt("experts", _("Our experts"), query="mine=true"), rt("institution-units"), rt("student-teams"),
    page("imports:history", _("Imports"), ORGS), page("onboarding:invite", _("Invite an expert"), {Role.INSTITUTION}),
))
MY_COOPERATION = Menu(_("Events & cooperation"), (
    rt("events"), rt("intentions"), rt("projects"), rt("tech-contracts"), rt("placements"),
    rt("pairings", roles=frozenset({Role.EXPERT, Role.ENTERPRISE})),
))
MY_AWARDS = Menu(_("Awards"), (
    page("awards:index", _("Awards and payouts"), ORGS | {Role.EXPERT}),
    rt("award-applications", roles=ORGS | {Role.EXPERT}), rt("award-payee-accounts", roles=ORGS),
    page("innovation:index", _("Innovation score (创新积分)"), {Role.ENTERPRISE}),
))
EXPERT_SELF = Menu(_("Me"), (
    page("experts:me", _("My expert profile"), {Role.EXPERT}),
    rt("projects", _("My projects"), query="mine=true"), rt("pairings", _("My pairings"), roles=frozenset({Role.EXPERT})),
))
ADMINISTRATION = Menu(_("Administration"), (rt("users"), rt("audit-log")))

MENUS: dict[str, tuple[Menu, ...]] = {
    CITY: (REGISTRIES, SUPPLY_DEMAND, COOPERATION, PROGRAMMES, AWARDS, ANALYTICS, TOOLS),
    UNIT: (REGISTRIES, SUPPLY_DEMAND, COOPERATION, PROGRAMMES, AWARDS, ANALYTICS, TOOLS),
    PARK: (REGISTRIES, SUPPLY_DEMAND, COOPERATION, PROGRAMMES, AWARDS, ANALYTICS, TOOLS),
    Role.ENTERPRISE: (MY_ENTERPRISE, FIND_TECHNOLOGY, MY_COOPERATION, MY_AWARDS),
    Role.INSTITUTION: (MY_INSTITUTION, FIND_DEMANDS, MY_COOPERATION, MY_AWARDS),
    Role.EXPERT: (EXPERT_SELF, FIND_DEMANDS, MY_COOPERATION, MY_AWARDS),
    Role.BROKER: (FIND_DEMANDS, FIND_TECHNOLOGY, MY_COOPERATION),
    Role.SYSTEM_ADMIN: (ADMINISTRATION,),
    Role.SECURITY_ADMIN: (ADMINISTRATION,),
    Role.AUDIT_ADMIN: (ADMINISTRATION,),
}

# Record types no menu lists: reached from their parent record's page (its related lists), or
# read-only lines shown inside their round or payout list.
REACHED_FROM_PARENT = frozenset({
    "expert-roles", "challenge-criteria", "declared-interests", "award-lines", "award-payout-lines",
    "award-review-steps", "regions", "industries", "disciplines",
})


def menus_for(user) -> list[dict]:
    """The user's menus with the entries they may use (menus left empty are dropped)."""
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for menu in MENUS.get(getattr(user, "role", None), ()):
        seen, links = set(), []
        for entry in menu.entries:
            if not entry.usable(user):
                continue
            url = entry.url()
            if url in seen:
                continue
            seen.add(url)
            links.append({"label": entry.text(), "url": url})
        if links:
            out.append({"label": menu.label, "links": links})
    return out
