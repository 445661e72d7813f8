"""What challenges contribute (core/plugins.py): the challenge, criteria and declared-interest record
types, the solved-challenges indicator, a link from a demand's page to publish it as a challenge, what
a challenge feeds into matching, the panel of best matches (with invitations to bid) on its page, and
the invitations an expert or an institution's office received."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duijie.challenges.indicators import INDICATORS
from duijie.challenges.records import GROUP, RECORD_TYPES
from duijie.challenges.search import SEARCH
from duijie.core.plugins import Contributions, DetailLink, DetailPanel, NavLink
from duijie.core.roles import Role
from duijie.core.selectors import can_edit
from duijie.demands.choices import DemandStatus


def demand_links(request, demand) -> list[tuple[str, str]]:
    if can_edit(request.user, demand) and demand.status == DemandStatus.PUBLISHED:
        return [(str(_("Publish as a challenge (发榜)")), reverse("challenges:from-demand", args=[demand.pk]))]
    return []


CONTRIBUTES = Contributions(
    record_types=RECORD_TYPES,
    detail_links=(DetailLink(record_type="demands", links=demand_links),),
    indicators=INDICATORS,
    matching=SEARCH,
    detail_panels=(DetailPanel(model="challenges.Challenge", url_name="challenges:matches"),),
    nav_links=(NavLink(GROUP, _("Invitations to bid"), "challenges:invitations",
                       roles=frozenset({Role.EXPERT, Role.INSTITUTION}), order=63),),
)
