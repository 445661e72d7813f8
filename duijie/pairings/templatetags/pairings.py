from django import template

from duijie.core.selectors import can_edit
from duijie.pairings.services import visit_need_ref

register = template.Library()


@register.simple_tag
def visit_needs(visit, user) -> list[dict]:
    """The visit's needs, each with the draft demand made from it (if any) and whether ``user`` may make
    one (the rule core.services applies on save: only someone who may edit the enterprise files for it)."""
    drafts = {d.source_ref: d for d in visit.draft_demands.all()}
    may_file = can_edit(user, visit.enterprise)
    return [{"n": n, "text": text, "demand": drafts.get(visit_need_ref(visit, n)), "may_file": may_file}
            for n, text in enumerate(visit.need_lines, start=1)]
